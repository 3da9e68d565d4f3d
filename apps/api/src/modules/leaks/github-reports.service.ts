import { createHash, verify } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { type GithubReportFeedback, GithubTokenReportsSchema, isValidApiKey } from '@tradetally/contracts';
import { ApiError } from '../../common/api-error.js';
import { parseWith } from '../../common/validation.js';
import { GithubKeysService } from './github-keys.service.js';
import { LeaksService } from './leaks.service.js';

/** The signature headers of a GitHub report, as they came (either may be missing). */
export interface GithubSignature {
  identifier: string | undefined;
  signature: string | undefined;
}

/**
 * GitHub's secret scanning partner reports (scanning.md): verified against GitHub's published key
 * before anything in them is read, then every TradeTally key among the tokens goes the way of any
 * leak report (LeaksService.revokeLeaked), and GitHub gets its feedback per token.
 */
@Injectable()
export class GithubReportsService {
  constructor(
    private readonly githubKeys: GithubKeysService,
    private readonly leaks: LeaksService,
  ) {}

  async receive(raw: Buffer, headers: GithubSignature): Promise<GithubReportFeedback> {
    await this.verify(raw, headers);
    const tokens = parseWith(GithubTokenReportsSchema, parseJson(raw));
    // Which tokens are stored keys, each looked up once. One call per key: the answer must say
    // which token matched, and each carries its own url (the place the audit trail records).
    const stored = new Map<string, boolean>();
    for (const { token, url } of tokens) {
      const key = token.trim();
      if (stored.has(key)) continue;
      if (!isValidApiKey(key)) {
        stored.set(key, false);
        continue;
      }
      const { matched } = await this.leaks.revokeLeaked([key], 'github', url || undefined, null);
      stored.set(key, matched.length > 0);
    }
    return tokens.map(({ token, type }) => ({
      token_hash: createHash('sha256').update(token, 'utf8').digest('hex'),
      token_type: type,
      label: stored.get(token.trim()) ? 'true_positive' : 'false_positive',
    }));
  }

  /** 401 invalid_signature unless GitHub's key named by the identifier signed exactly these bytes. */
  private async verify(raw: Buffer, { identifier, signature }: GithubSignature): Promise<void> {
    if (!identifier || !signature) throw new ApiError('invalid_signature', 'The GitHub signature headers are missing.');
    const key = await this.githubKeys.publicKey(identifier);
    if (!key) throw new ApiError('invalid_signature', 'GitHub does not list that signing key.');
    let valid: boolean;
    try {
      // GitHub's signatures are ASN.1 DER (Node's default for ECDSA), base64 encoded.
      valid = verify('sha256', raw, key, Buffer.from(signature, 'base64'));
    } catch {
      valid = false; // not a signature at all
    }
    if (!valid) throw new ApiError('invalid_signature', 'The GitHub signature does not match the body.');
  }
}

function parseJson(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    throw new ApiError('validation_failed', 'The request body is not valid JSON.');
  }
}
