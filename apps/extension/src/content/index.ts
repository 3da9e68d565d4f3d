import { findApiKeys } from '@tradetally/contracts';

// Capture phase on window: runs before the page's own paste handlers.
window.addEventListener(
  'paste',
  (event) => {
    const text = event.clipboardData?.getData('text/plain') ?? '';
    const keys = findApiKeys(text);
    if (keys.length > 0) console.warn(`TradeTally Keys: ${keys.length} API key(s) pasted on ${location.host}`);
  },
  true,
);
