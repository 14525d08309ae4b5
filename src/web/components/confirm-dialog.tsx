import { useEffect, useRef } from 'react';

/**
 * A modal confirmation: the browser traps focus, Escape cancels, focus starts on Cancel and
 * returns to the button that opened it. `id` makes the title and text ids unique on the page.
 */
export function ConfirmDialog({
  id,
  title,
  text,
  confirmLabel,
  cancelLabel,
  onConfirm,
  onClose,
}: {
  id: string;
  title: string;
  text: string;
  confirmLabel: string;
  cancelLabel: string;
  onConfirm: () => void;
  onClose: () => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (dialog !== null && !dialog.open) dialog.showModal();
  }, []);
  return (
    <dialog ref={ref} className="dialog dialog-small" role="alertdialog" aria-labelledby={`${id}-title`} aria-describedby={`${id}-text`} onClose={onClose}>
      <h2 id={`${id}-title`}>{title}</h2>
      <p id={`${id}-text`}>{text}</p>
      <div className="button-row">
        <button type="button" className="button button-danger" onClick={onConfirm}>
          {confirmLabel}
        </button>
        <button type="button" className="button button-secondary" onClick={() => ref.current?.close()} autoFocus>
          {cancelLabel}
        </button>
      </div>
    </dialog>
  );
}
