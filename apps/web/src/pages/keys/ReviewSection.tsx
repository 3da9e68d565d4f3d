import { type ApiKey, displayApiKey } from '@tradetally/contracts';
import type { KeyDialog, OpenDialog } from './key-dialog.js';
import { type ReviewItem, reviewKeys } from './review.js';

const FIX_LABEL: Record<ReviewItem['fix'], string> = {
  rotate: 'Rotate',
  revoke: 'Revoke',
  replace: 'Set up a replacement',
  self_rotate: 'Replace with a self-rotating key',
};

/** What the review's one-click fix opens. */
function fixDialog(item: ReviewItem): KeyDialog {
  const key = item.key;
  switch (item.fix) {
    case 'revoke':
      return { kind: 'revoke', key };
    case 'self_rotate':
      // `selfRotate` can be chosen only when a key is made, so the fix is a copy that rotates itself.
      return {
        kind: 'create',
        replaces: key,
        initial: { name: key.name, scope: key.scope, environment: key.environment, allowedIps: key.allowedIps, selfRotate: true },
      };
    case 'replace':
      return { kind: 'rotate', key, grace: 1440 };
    case 'rotate':
      return { kind: 'rotate', key, grace: 60 };
  }
}

/** "Review your keys": what deserves a look among all the trader's keys, each with its fix. */
export function ReviewSection(props: { allKeys: ApiKey[]; loading: boolean; onOpen: OpenDialog }) {
  const review = reviewKeys(props.allKeys);
  return (
    <section aria-labelledby="review-heading" class="review">
      <h2 id="review-heading">Review your keys</h2>
      {review.length === 0 ? (
        <p>{props.loading ? 'Loading…' : 'Nothing to review: every active key is scoped, expiring and in use.'}</p>
      ) : (
        <ul data-testid="review">
          {review.map((item) => (
            <li key={`${item.kind}-${item.key.id}`}>
              <span>
                <strong>{item.key.name}</strong> <code>{displayApiKey(item.key)}</code> {item.why}.
              </span>{' '}
              <button type="button" class="outline" data-fix={item.fix} onClick={() => props.onOpen(fixDialog(item))}>
                {FIX_LABEL[item.fix]}
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
