import { z } from 'zod';

/** Largest GitHub secret scanning report the API takes (bytes of the raw body); larger is 413. */
export const MAX_GITHUB_REPORT_BYTES = 1024 * 1024;

/**
 * One token GitHub found: the token, the token type as registered, where it was seen, and the kind
 * of place. Read as GitHub sends it: `source` may be missing (GitHub's own published sample has
 * none), and fields GitHub adds later are ignored (stripped), not refused: the strict "unknown
 * fields are errors" rule is for this API's own clients, not for a partner's payloads.
 */
export const GithubTokenReportSchema = z.object({
  token: z.string().min(1).max(1000),
  type: z.string().min(1).max(200),
  url: z.string().max(4096),
  source: z.string().max(200).optional(),
});

/** One token GitHub found. */
export type GithubTokenReport = z.infer<typeof GithubTokenReportSchema>;

/** Body of `POST /v1/leaks/github`: GitHub's secret scanning partner report, a JSON array (extra fields allowed). */
export const GithubTokenReportsSchema = z.array(GithubTokenReportSchema);

/** Body of `POST /v1/leaks/github`. */
export type GithubTokenReports = z.infer<typeof GithubTokenReportsSchema>;

/** GitHub's feedback label: `true_positive` for a token that is a stored key (any status), else `false_positive`. */
export const GithubTokenLabelSchema = z.enum(['true_positive', 'false_positive']);

/** GitHub's feedback label. */
export type GithubTokenLabel = z.infer<typeof GithubTokenLabelSchema>;

/** Feedback on one reported token: its SHA-256 (hex), its type as sent, and the label. */
export const GithubTokenFeedbackSchema = z.object({
  token_hash: z.string().regex(/^[0-9a-f]{64}$/),
  token_type: z.string(),
  label: GithubTokenLabelSchema,
});

/** Feedback on one reported token. */
export type GithubTokenFeedback = z.infer<typeof GithubTokenFeedbackSchema>;

/** Answer of `POST /v1/leaks/github`: one feedback entry per reported token, in the report's order. */
export const GithubReportFeedbackSchema = z.array(GithubTokenFeedbackSchema);

/** Answer of `POST /v1/leaks/github`. */
export type GithubReportFeedback = z.infer<typeof GithubReportFeedbackSchema>;

/** GitHub's published signing keys (`GITHUB_KEYS_URL`): PEM public keys by identifier. */
export const GithubPublicKeysSchema = z.object({
  public_keys: z.array(z.object({ key_identifier: z.string().min(1), key: z.string().min(1), is_current: z.boolean() })),
});

/** GitHub's published signing keys. */
export type GithubPublicKeys = z.infer<typeof GithubPublicKeysSchema>;
