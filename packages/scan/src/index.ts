/** Programmatic use of the scanner behind `tradetally-scan`. */
export { ByteScanner, type StreamMatch } from './byte-scanner.js';
export { type Finding, type Format, FORMATS, RULE_ID, formatJson, formatSarif, formatText } from './output.js';
export { DEFAULT_API_URL, ReportError, reportKeys } from './report.js';
export { STDIN_NAME, type ScanOptions, type ScanResult, type ScanTarget, scan } from './scan.js';
export { GitError } from './git.js';
