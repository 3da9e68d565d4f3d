import type { ApiKey } from '@tradetally/contracts';
import type { FunctionComponent } from 'preact';
import { Modal } from '../../../components/Modal.js';
import { EventsSection } from './EventsSection.js';
import { UsageSection } from './UsageSection.js';

/**
 * The sections of a key's detail view, in order. Each loads what it shows by itself and reports its
 * own error, so a new one (limits, request history...) is one more component here.
 */
const SECTIONS: readonly FunctionComponent<{ apiKey: ApiKey }>[] = [UsageSection, EventsSection];

/** A key's detail view: its history (use over 30 days, then its audit trail), opened from its row. */
export function KeyDetailDialog(props: { apiKey: ApiKey; onClose: () => void }) {
  return (
    <Modal labelledBy="history-heading" testId="history-dialog" onCancel={props.onClose}>
      <header>
        <h2 id="history-heading">History of “{props.apiKey.name}”</h2>
      </header>
      {SECTIONS.map((Section, i) => (
        <Section key={i} apiKey={props.apiKey} />
      ))}
      <footer>
        <button type="button" onClick={props.onClose}>
          Close
        </button>
      </footer>
    </Modal>
  );
}
