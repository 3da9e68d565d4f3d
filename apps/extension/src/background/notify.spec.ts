import { describe, expect, it } from 'vitest';
import { notificationId, notificationTarget } from './notify.js';

describe('notification ids', () => {
  it('name the tab and site a notification speaks for, so its button still works after the worker restarted', () => {
    const id = notificationId(42, 'chat.example', 'ab'.repeat(32));
    expect(notificationTarget(id)).toEqual({ tabId: 42, site: 'chat.example' });
  });

  it('are ours only when they say so', () => {
    for (const id of ['other', 'tt|x|chat.example|ab', 'tt|3||ab', 'xx|3|chat.example|ab']) expect(notificationTarget(id), id).toBeNull();
  });
});
