// One object read for a detail page (a device, a customer account): loading, ready or failed,
// and while it is not ready the page's frame with a status line or the error and a way back.
import { useEffect, useState } from 'react';
import type { RequestOptions } from '../api/client.js';
import { Link } from '../router/router.js';
import { ErrorAlert } from './error-alert.js';
import { PageHeading } from './page-heading.js';

export type Loaded<T> = { status: 'loading' } | { status: 'ready'; value: T } | { status: 'failed'; error: unknown };

/**
 * Reads again whenever `fetchOne` changes, so it must keep its identity between renders
 * (`useCallback` over the id); an aborted read is no failure. The setter takes the server's
 * answer to a change, so the page shows what was saved.
 */
export function useLoaded<T>(fetchOne: (options: RequestOptions) => Promise<T>): [Loaded<T>, (value: T) => void] {
  const [load, setLoad] = useState<Loaded<T>>({ status: 'loading' });
  useEffect(() => {
    const controller = new AbortController();
    setLoad({ status: 'loading' });
    fetchOne({ signal: controller.signal }).then(
      (value) => setLoad({ status: 'ready', value }),
      (error: unknown) => {
        if (!controller.signal.aborted) setLoad({ status: 'failed', error });
      },
    );
    return () => controller.abort();
  }, [fetchOne]);
  return [load, (value: T) => setLoad({ status: 'ready', value })];
}

/** The page while its object is loading or could not be read (not found, no access). */
export function NotLoadedPanel(props: { load: Exclude<Loaded<unknown>, { status: 'ready' }>; className: string; title: string; loading: string; back: { to: string; label: string } }) {
  return (
    <section className={props.className}>
      <PageHeading>{props.title}</PageHeading>
      {props.load.status === 'loading' ? <p role="status">{props.loading}</p> : <ErrorAlert error={props.load.error} />}
      <p>
        <Link to={props.back.to}>{props.back.label}</Link>
      </p>
    </section>
  );
}
