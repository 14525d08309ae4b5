// A list the server hands out page by page behind a cursor, shown as one growing table with a
// "more" button (outbox, customer accounts): the first page loads on mount, and again whenever
// the fetcher changes (a new search) or `reload()` is called; an aborted request is no failure.
import { useCallback, useEffect, useState } from 'react';
import type { RequestOptions } from '../api/client.js';

export type PagedLoad = { status: 'loading' } | { status: 'ready' } | { status: 'loadingMore' } | { status: 'failed'; error: unknown };

export interface CursorPage<T> {
  items: T[];
  nextCursor: string | null;
}

/** `fetchPage` must keep its identity between renders (`useCallback`): a new one starts over. */
export function usePagedList<T>(fetchPage: (cursor: string | null, options?: RequestOptions) => Promise<CursorPage<T>>) {
  const [items, setItems] = useState<T[]>([]);
  const [nextCursor, setNextCursor] = useState<string | null>(null);
  const [load, setLoad] = useState<PagedLoad>({ status: 'loading' });
  const [reloads, setReloads] = useState(0);

  useEffect(() => {
    const controller = new AbortController();
    setLoad({ status: 'loading' });
    fetchPage(null, { signal: controller.signal }).then(
      (page) => {
        setItems(page.items);
        setNextCursor(page.nextCursor);
        setLoad({ status: 'ready' });
      },
      (error: unknown) => {
        if (!controller.signal.aborted) setLoad({ status: 'failed', error });
      },
    );
    return () => controller.abort();
  }, [fetchPage, reloads]);

  const loadMore = async () => {
    if (nextCursor === null || load.status === 'loadingMore') return;
    setLoad({ status: 'loadingMore' });
    try {
      const page = await fetchPage(nextCursor);
      setItems((previous) => [...previous, ...page.items]);
      setNextCursor(page.nextCursor);
      setLoad({ status: 'ready' });
    } catch (error) {
      setLoad({ status: 'failed', error });
    }
  };

  const reload = useCallback(() => setReloads((n) => n + 1), []);
  return { items, nextCursor, load, loadMore, reload };
}

/** Under the table: how many rows are shown (a live status), and the button for the next page. */
export function PagedListFooter(props: { shown: string; hasMore: boolean; busy: boolean; more: string; moreBusy: string; onMore: () => void }) {
  return (
    <div className="table-footer">
      <p role="status" className="muted">
        {props.shown}
      </p>
      {props.hasMore && (
        <button type="button" className="button button-secondary" onClick={props.onMore} aria-disabled={props.busy}>
          {props.busy ? props.moreBusy : props.more}
        </button>
      )}
    </div>
  );
}
