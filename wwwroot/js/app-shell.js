// @ts-check
// What every page shares: the service worker that keeps the app's own files for offline use,
// and the server's size limits (remembered, so an offline page still knows them).

const LIMITS_KEY = 'collabedit.limits';
const DEFAULT_LIMITS = Object.freeze({ maxOpLength: 2 * 1024 * 1024, maxDocumentLength: 8 * 1024 * 1024, maxOpComponents: 100_000 });

/** Registers /sw.js, which caches the page, scripts and styles once visited (see sw.js). */
export function registerServiceWorker() {
  if (!('serviceWorker' in navigator)) return;
  navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(() => { /* the app works without it, online */ });
}

/** The server's limits, fetched, or as last seen, or the defaults. */
export async function loadLimits() {
  try {
    const response = await fetch('/api/limits');
    if (response.ok) {
      const limits = await response.json();
      localStorage.setItem(LIMITS_KEY, JSON.stringify(limits));
      return /** @type {{ maxOpLength: number, maxDocumentLength: number, maxOpComponents: number }} */ (limits);
    }
  } catch { /* offline */ }
  try {
    const saved = JSON.parse(localStorage.getItem(LIMITS_KEY) ?? 'null');
    if (saved && Number.isSafeInteger(saved.maxOpLength) && Number.isSafeInteger(saved.maxDocumentLength)) return saved;
  } catch { /* a damaged entry: the defaults */ }
  return { ...DEFAULT_LIMITS };
}
