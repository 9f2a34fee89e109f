// Settings given by a caller over a function's defaults, written once for every recipe and training loop.

/** Returns `defaults` with every setting of `given` that is not undefined put over it (undefined never hides a default). */
export function withDefaults<D extends object, G extends object>(defaults: D, given: G): D & G {
  const set = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined));
  return { ...defaults, ...set } as D & G;
}
