/** The Reports button in the page's header (issue 23): opens the support metrics view. */
import type { T } from './i18n.js';

export function ReportsButton(_props: { t: T; businessIds: readonly number[] }) {
  // Filled by the Reports view's change; mounted now so that change touches only its own files.
  return null;
}
