// Failure titles for explore, shrink, bisect and explain: the one engine that `bringup run`
// uses too (exec/titles.ts — it sits under exec/ so that run's worker threads reach it and
// exec never imports explore). Pure: the same log and state give the same titles.

export {
  titlesOf,
  titleOf,
  logTitles,
  checkTitle,
  deferredTitle,
  hangTitle,
  unexplainedDeferrals,
  compareTitles,
  isSkippedFrame,
  sanitizeTitle,
  probeFunction,
  REPORT_KINDS,
  SKIP_FRAMES,
  TITLE_KINDS,
  MAX_TITLE,
} from '../exec/titles.js';
export type { Title, TitleKind, TitleInput, ReportKind, DeviceSettled } from '../exec/titles.js';
