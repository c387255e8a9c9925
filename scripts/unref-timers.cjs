// Preloaded into Prisma CLI processes: its Wasm engines leave long timers behind that keep a
// finished command alive for up to a minute. Long timers are unref'd so the process can exit.
const setTimeoutOriginal = global.setTimeout;
global.setTimeout = function setTimeoutUnrefLong(callback, delay, ...args) {
  const timer = setTimeoutOriginal(callback, delay, ...args);
  if (typeof delay === "number" && delay >= 5000 && timer && typeof timer.unref === "function") timer.unref();
  return timer;
};
