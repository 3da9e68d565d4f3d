import type { User } from '@tradetally/contracts';

/** The bar above every signed-in page: where the trader is, as whom, and the way out. */
export function PageNav(props: { user: User; title: string; onSignOut: () => void }) {
  return (
    <nav>
      <ul>
        <li>
          <strong>TradeTally</strong> · {props.title}
        </li>
      </ul>
      <ul>
        <li>
          <small>{props.user.email}</small>
        </li>
        <li>
          <button type="button" class="secondary outline" onClick={props.onSignOut}>
            Sign out
          </button>
        </li>
      </ul>
    </nav>
  );
}
