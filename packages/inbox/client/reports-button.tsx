/** The Reports button in the page's header (issue 23): opens the support metrics view. */
import { useState } from 'preact/hooks';
import type { T } from './i18n.js';
import { reportWords } from './reports-i18n.js';
import { ReportsDialog } from './reports-view.js';

export function ReportsButton({ t, businessIds }: { t: T; businessIds: readonly number[] }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button
        type="button"
        class="reports-button"
        aria-haspopup="dialog"
        onClick={() => setOpen(true)}
        disabled={businessIds.length === 0}
      >
        {reportWords(t)('reports')}
      </button>
      {open && businessIds.length > 0 ? (
        <ReportsDialog t={t} businessIds={businessIds} onClose={() => setOpen(false)} />
      ) : null}
    </>
  );
}
