import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { I18nextProvider } from 'react-i18next';
import { ApiProvider } from './api/api-context.js';
import { createApiClient } from './api/client.js';
import { App } from './app.js';
import { initI18n } from './i18n/i18n.js';
import { RouterProvider } from './router/router.js';
import { SessionProvider } from './session/session-context.js';
import './styles.css';

async function start(): Promise<void> {
  const container = document.getElementById('root');
  if (container === null) throw new Error('index.html lacks #root');
  const i18n = await initI18n();
  const client = createApiClient();
  createRoot(container).render(
    <StrictMode>
      <I18nextProvider i18n={i18n}>
        <ApiProvider client={client}>
          <RouterProvider>
            <SessionProvider>
              <App />
            </SessionProvider>
          </RouterProvider>
        </ApiProvider>
      </I18nextProvider>
    </StrictMode>,
  );
}

void start();
