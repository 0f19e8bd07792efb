// Preloaded into the Prisma CLI by scripts/prisma.mjs. Prisma 6.19's Wasm
// schema engine arms a 10 s timer (a lock/timeout race) that is never cleared,
// so every `migrate deploy` would sit idle for 10 s before exiting. Unref'ing
// long timers lets the process exit once its real work (sockets, I/O) is done;
// while work is pending, that work keeps the process alive as usual.
const setTimeoutOrig = global.setTimeout;
global.setTimeout = function setTimeoutUnrefLong(fn, ms, ...args) {
  const t = setTimeoutOrig(fn, ms, ...args);
  if (typeof ms === "number" && ms >= 5000 && t && typeof t.unref === "function") t.unref();
  return t;
};
