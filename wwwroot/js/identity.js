// @ts-check
// Your name and colour: chosen once, remembered in this browser.

const KEY = 'collabedit.identity';
const COLORS = ['#e6194b', '#3cb44b', '#4363d8', '#f58231', '#911eb4', '#0891b2', '#db2777', '#9a6324', '#469990', '#800000'];
const ANIMALS = ['Otter', 'Heron', 'Lynx', 'Badger', 'Falcon', 'Marten', 'Ibis', 'Newt', 'Puffin', 'Wren'];

/** @returns {{ name: string, color: string }} */
export function identity() {
  try {
    const saved = JSON.parse(localStorage.getItem(KEY) ?? 'null');
    if (saved && typeof saved.name === 'string' && /^#[0-9a-f]{6}$/i.test(saved.color)) return saved;
  } catch { /* a damaged entry is replaced */ }
  const random = new Uint32Array(2);
  crypto.getRandomValues(random);
  const chosen = { name: `${ANIMALS[random[0] % ANIMALS.length]} ${random[1] % 100}`, color: COLORS[random[1] % COLORS.length] };
  localStorage.setItem(KEY, JSON.stringify(chosen));
  return chosen;
}

/** Asks for a new name (and keeps the colour); returns true when it changed. */
export function chooseIdentity() {
  const current = identity();
  const name = prompt('Your name, as others see it:', current.name);
  if (!name || !name.trim()) return false;
  localStorage.setItem(KEY, JSON.stringify({ ...current, name: name.trim().slice(0, 64) }));
  return true;
}
