/** The Reports button in the page's header (issue 23): opens the support metrics view. */
import { useRef, useState } from 'preact/hooks';
import type { T } from './i18n.js';
import { reportWords } from './reports-i18n.js';
import { ReportsDialog } from './reports-view.js';

export function ReportsButton({ t, businessIds }: { t: T; businessIds: readonly number[] }) {
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  return (
    <>
      <button
        type="button"
        class="reports-button"
        ref={button}
        aria-haspopup="dialog"
        onClick={() => setOpen(true)}
        disabled={businessIds.length === 0}
      >
        {reportWords(t)('reports')}
      </button>
      {open && businessIds.length > 0 ? (
        <ReportsDialog t={t} opener={button} businessIds={businessIds} onClose={() => setOpen(false)} />
      ) : null}
    </>
  );
}
