// The service worker, served as /sw.js with __VERSION__ replaced by a hash of the app's files, so
// a new build is a new worker with a new cache. It keeps the app shell (pages, scripts, styles)
// and answers from the network first, from the cache when the network fails: the app opens
// offline once visited. The API and the hub are never cached.

const VERSION = '__VERSION__';
const CACHE = `collabedit-shell-${VERSION}`;
const SHELL = ['/', '/index.html', '/editor.html', '/signin.html', '/css/app.css', '/favicon.svg', '/lib/vendor.js',
  '/js/app-shell.js', '/js/changes.js', '/js/client.js', '/js/connection.js', '/js/device-store.js', '/js/documents.js',
  '/js/editor.js', '/js/history.js', '/js/sessions.js', '/js/authorship.js', '/js/authorship-view.js', '/js/timeslider.js', '/js/identity.js', '/js/text-operation.js', '/js/access.js', '/js/share.js', '/js/account.js'];

self.addEventListener('install', (event) => {
  // Past the HTTP cache: the files of this version, not whatever the browser kept from before.
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL.map((url) => new Request(url, { cache: 'reload' })))).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((key) => key.startsWith('collabedit-shell-') && key !== CACHE).map((key) => caches.delete(key))))
    .then(() => self.clients.claim()));
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin) return;
  if (url.pathname.startsWith('/api/') || url.pathname.startsWith('/hubs/') || url.pathname === '/sw.js') return;
  // Every document's page is the one editor page.
  const key = request.mode === 'navigate' && url.pathname.startsWith('/d/') ? '/editor.html'
    : request.mode === 'navigate' && (url.pathname === '/signin' || url.pathname === '/signup') ? '/signin.html'
      : url.pathname;
  event.respondWith(fetch(request).catch(async () => {
    const cached = await caches.match(key, { ignoreSearch: true });
    return cached ?? Response.error();
  }));
});
