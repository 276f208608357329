/**
 * The Reports route's answer (`GET /api/businesses/:id/report`): sync's `report()` summary as it is, with
 * the business and the zone its days are in. A type only, so the page may import it: sync's shape is
 * erased from the bundle and stays in one home.
 */
import type { ReportSummary } from '@ym-chats/sync';

export interface ReportView extends ReportSummary {
  businessId: number;
  /** The business hours' zone the per-day rows are counted in; `UTC` without business hours. */
  timeZone: string;
  /** Whether only time inside business hours counts. */
  businessHours: boolean;
}
