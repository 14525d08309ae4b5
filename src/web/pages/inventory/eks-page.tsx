// "EKS" (docs/product.md flow 3): the devices this user may see. Filters, sort and page size live in
// the URL; the page goes forward with the server's cursor and back through the cursors it kept.
// The total comes from its own request after the page, so a large count never delays the rows.
// Whoever manages read rights ticks rows across pages (or all matching) and edits who may read
// them (docs/grants.md); the selection belongs to the filter and is cleared when it changes.
// "Download keys" (docs/downloads.md) takes the selection, or all devices matching the filter
// when nothing is ticked (a reader has no boxes: he downloads what the filter shows).
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useApi } from '../../api/api-context.js';
import { countDevices, deviceFilterNames, listDevices, type DeviceFilter, type DeviceFilterName, type DevicePage, type SortColumn } from '../../api/devices-api.js';
import { isApiError } from '../../api/client.js';
import { ErrorAlert } from '../../components/error-alert.js';
import { formatNumber } from '../../components/format.js';
import { PageHeading } from '../../components/page-heading.js';
import { Link, useRouter } from '../../router/router.js';
import { currentCursor, firstPage, pageNumber, popCursor, pushCursor, type CursorStack } from './cursor-stack.js';
import { DeviceFilterForm } from './device-filter-form.js';
import { hasFilter, nextSort, pageSizes, readDeviceQuery, writeDeviceQuery, type DeviceQuery } from './device-query.js';
import { DeviceTable } from './device-table.js';
import { DownloadDialog } from './download-dialog.js';
import { canSelectAll, emptySelection, isSelected, pageState, selectAll, selectionFor, selectionSize, toggleRow, togglePage, type Selection, type TickResult } from './device-selection.js';
import { ReadRightsPanel } from './read-rights-panel.js';
import { SelectionBar } from './selection-bar.js';

type Rows = { status: 'loading' } | { status: 'ready'; search: string; page: DevicePage } | { status: 'failed'; search: string; error: unknown };
type Count = { search: string; total: number | null; failed: boolean };

export function EksPage({ operator }: { operator: boolean }) {
  const { t, i18n } = useTranslation();
  const client = useApi();
  const { location, navigate } = useRouter();
  const search = location.search;
  const query = readDeviceQuery(search);
  const filterKey = writeDeviceQuery({ ...query, sort: 'serial', limit: 50 });

  // The cursors belong to one view: a new filter, sort or page size starts at page 1 again.
  const [paging, setPaging] = useState<{ search: string; stack: CursorStack }>({ search, stack: firstPage });
  const stack = paging.search === search ? paging.stack : firstPage;
  const cursor = currentCursor(stack);
  const [rows, setRows] = useState<Rows>({ status: 'loading' });
  // The rows on screen with the page they are (kept while the next page loads), so the page
  // line always describes the rows it stands under.
  const [shown, setShown] = useState<{ page: DevicePage; number: number; limit: number } | null>(null);
  const [count, setCount] = useState<Count | null>(null);
  // Bumped after read rights changed, so the rows show their new reader counts.
  const [version, setVersion] = useState(0);
  const [selectionState, setSelection] = useState<Selection>(() => emptySelection(filterKey));
  const selection = selectionFor(selectionState, filterKey);
  // The refusal of one tick too many, for the view it happened in.
  const [tooManyIn, setTooManyIn] = useState<string | null>(null);
  // The panel belongs to the filter it was opened under, like the selection.
  const [editingView, setEditingView] = useState<string | null>(null);
  const editing = editingView === filterKey;
  const editButton = useRef<HTMLButtonElement>(null);
  // The download dialog, like the panel, belongs to the filter it was opened under.
  const [downloadingView, setDownloadingView] = useState<string | null>(null);
  const downloadButton = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    const controller = new AbortController();
    setRows({ status: 'loading' });
    const number = pageNumber(stack);
    const limit = query.limit;
    listDevices(client, { filter: query.filter, sort: query.sort, cursor, limit: query.limit }, { signal: controller.signal }).then(
      (page) => {
        setRows({ status: 'ready', search, page });
        setShown({ page, number, limit });
      },
      (error: unknown) => {
        if (!controller.signal.aborted) setRows({ status: 'failed', search, error });
      },
    );
    return () => controller.abort();
  }, [client, search, cursor, version]);

  // Counted once per set of filters, after that view's first page has arrived; sorting and
  // paging keep the count.
  const loadedFor = rows.status === 'loading' || rows.search !== search ? null : filterKey;
  const counted = useRef<Count | null>(null);
  counted.current = count;
  useEffect(() => {
    if (loadedFor === null) return;
    const known = counted.current;
    if (known?.search === loadedFor && (known.total !== null || known.failed)) return;
    const controller = new AbortController();
    setCount({ search: loadedFor, total: null, failed: false });
    countDevices(client, query.filter, { signal: controller.signal }).then(
      (total) => setCount({ search: loadedFor, total, failed: false }),
      () => {
        if (!controller.signal.aborted) setCount({ search: loadedFor, total: null, failed: true });
      },
    );
    return () => controller.abort();
  }, [client, loadedFor]);

  const go = (next: DeviceQuery) => navigate(`/eks${writeDeviceQuery(next)}`);
  const onSearch = (filter: DeviceFilter) => go({ ...query, filter });
  const onSort = (column: SortColumn) => go({ ...query, sort: nextSort(query.sort, column) });
  const canGoOn = rows.status === 'ready' && rows.page.nextCursor !== null;
  const canGoBack = stack.length > 1 && rows.status !== 'loading';
  // aria-disabled rather than disabled: a button that stops applying (the last page) keeps the focus.
  const onNext = () => {
    if (rows.status === 'ready' && rows.page.nextCursor !== null) setPaging({ search, stack: pushCursor(stack, rows.page.nextCursor) });
  };
  const onPrevious = () => {
    if (canGoBack) setPaging({ search, stack: popCursor(stack) });
  };

  const language = i18n.language;
  const filtered = hasFilter(query.filter);
  const devices = shown?.page.items ?? [];
  const page = shown?.number ?? pageNumber(stack);
  const from = (page - 1) * (shown?.limit ?? query.limit) + 1;
  const currentCount = count?.search === filterKey ? count : null;
  const total = currentCount?.total ?? null;
  // The server says who may manage read rights: a reader's rows carry no reader count. Only rows
  // with a count can be ticked, so a selection never holds a device its user may not hand on.
  const manages = operator || devices.some((device) => device.readerCount !== null);
  const pageIds = devices.filter((device) => operator || device.readerCount !== null).map((device) => device.id);
  const size = selectionSize(selection);
  const tick = (result: TickResult) => {
    setSelection(result.selection);
    setTooManyIn(result.tooMany ? filterKey : null);
  };
  const closeEditing = () => {
    setEditingView(null);
    editButton.current?.focus();
  };
  // What "Download keys" takes: the ticked rows or "all matching", else everything the filter matches.
  const downloadSelection = size > 0 ? selection : total !== null && total > 0 ? selectAll(filterKey, query.filter, total) : null;
  const closeDownload = () => {
    setDownloadingView(null);
    downloadButton.current?.focus();
  };
  const downloadAction = (
    <button
      ref={downloadButton}
      type="button"
      className="button button-secondary"
      onClick={() => {
        if (downloadSelection !== null) setDownloadingView(filterKey);
      }}
      aria-disabled={downloadSelection === null || undefined}
    >
      {t('downloads.open')}
    </button>
  );

  return (
    <section className="panel">
      <PageHeading>{t('eks.title')}</PageHeading>
      <p>{t('eks.intro')}</p>
      <DeviceFilterForm key={search} filter={query.filter} invalid={rows.status === 'failed' ? invalidFilters(rows.error) : []} onSearch={onSearch} />
      <p role="status" className="device-total">
        {currentCount === null || (currentCount.total === null && !currentCount.failed) ? (
          <span className="muted">{t('eks.counting')}</span>
        ) : currentCount.total === null ? (
          <span className="muted">{t('eks.countFailed')}</span>
        ) : (
          t(filtered ? 'eks.totalMatching' : 'eks.total', { count: currentCount.total, formatted: formatNumber(currentCount.total, language) })
        )}
      </p>
      {rows.status === 'failed' && <ErrorAlert error={rows.error} />}
      {rows.status === 'loading' && shown === null && <p role="status">{t('eks.loading')}</p>}
      {rows.status === 'ready' && devices.length === 0 && page === 1 && (
        <p className="empty-state">
          {filtered ? t('eks.emptyFilter') : operator ? t('eks.emptyOperator') : t('eks.emptyNone')}
          {!filtered && !operator && (
            <>
              {' '}
              {t('access.eksHint')} <Link to="/access">{t('access.eksHintLink')}</Link>
            </>
          )}
        </p>
      )}
      {devices.length > 0 && (
        <>
          {manages && (
            <SelectionBar
              size={size}
              all={selection.kind === 'all'}
              tooMany={tooManyIn === filterKey}
              selectAllCount={canSelectAll(selection, pageIds, total) ? total : null}
              onSelectAll={(n) => setSelection(selectAll(filterKey, query.filter, n))}
              onClear={() => {
                tick({ selection: emptySelection(filterKey), tooMany: false });
                setEditingView(null);
              }}
              onEdit={() => {
                if (size > 0) setEditingView(filterKey);
              }}
              editButton={editButton}
            >
              {downloadAction}
            </SelectionBar>
          )}
          {!manages && <div className="selection-bar">{downloadAction}</div>}
          {downloadingView === filterKey && downloadSelection !== null && (
            <DownloadDialog selection={downloadSelection} onSelectionChanged={setSelection} onClose={closeDownload} />
          )}
          {manages && editing && size > 0 && (
            <ReadRightsPanel selection={selection} onChanged={() => setVersion((v) => v + 1)} onSelectionChanged={setSelection} onClose={closeEditing} />
          )}
          <DeviceTable
            devices={devices}
            sort={query.sort}
            onSort={onSort}
            busy={rows.status === 'loading'}
            selection={
              manages
                ? {
                    selectable: (id) => pageIds.includes(id),
                    isSelected: (id) => isSelected(selection, id),
                    page: pageState(selection, pageIds),
                    locked: selection.kind === 'all',
                    onRow: (id) => tick(toggleRow(selection, id)),
                    onPage: () => tick(togglePage(selection, pageIds)),
                  }
                : null
            }
          />
          <nav className="table-footer" aria-label={t('eks.paging')}>
            <p className="muted">{t('eks.pageInfo', { page, from: formatNumber(from, language), to: formatNumber(from + devices.length - 1, language) })}</p>
            <div className="pager">
              <div className="field field-inline">
                <label htmlFor="eks-page-size">{t('eks.pageSize')}</label>
                <select id="eks-page-size" className="input" value={query.limit} onChange={(event) => go({ ...query, limit: Number(event.currentTarget.value) })}>
                  {pageSizes.map((size) => (
                    <option key={size} value={size}>
                      {size}
                    </option>
                  ))}
                </select>
              </div>
              <button type="button" className="button button-secondary" onClick={onPrevious} aria-disabled={!canGoBack}>
                {t('eks.previous')}
              </button>
              <button type="button" className="button button-secondary" onClick={onNext} aria-disabled={!canGoOn}>
                {t('eks.next')}
              </button>
            </div>
          </nav>
        </>
      )}
    </section>
  );
}

/** The filters the server refused (400 validation_failed names them in its details). */
function invalidFilters(error: unknown): DeviceFilterName[] {
  if (!isApiError(error) || error.code !== 'validation_failed') return [];
  return deviceFilterNames.filter((name) => error.details.some((detail) => detail.field.split('.').pop() === name));
}
