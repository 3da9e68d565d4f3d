// The background service worker; listeners are registered at the top level (MV3 may restart it).
chrome.runtime.onInstalled.addListener(() => {
  void chrome.action.setBadgeText({ text: '' });
});
