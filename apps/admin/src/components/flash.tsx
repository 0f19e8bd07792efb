"use client";
// The console's result line: an action's outcome stays on screen after the
// page re-renders (the item acted on may be gone from the list by then).
import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from "react";

type TFlash = { kind: "ok" | "error"; message: string; id: number } | null;

const FlashContext = createContext<(kind: "ok" | "error", message: string) => void>(() => {});

export function FlashProvider({ children }: { children: ReactNode }) {
  const [flash, setFlash] = useState<TFlash>(null);
  const show = useCallback(
    (kind: "ok" | "error", message: string) => setFlash({ kind, message, id: Date.now() }),
    [],
  );
  useEffect(() => {
    if (!flash) return;
    const t = setTimeout(() => setFlash(null), 10_000);
    return () => clearTimeout(t);
  }, [flash]);
  return (
    <FlashContext.Provider value={show}>
      {children}
      <div className="flash-region" role="status" aria-live="polite" data-testid="flash">
        {flash ? (
          <div className={`flash flash--${flash.kind}`} key={flash.id}>
            <span>{flash.message}</span>
            <button
              type="button"
              className="flash__close"
              aria-label="Dismiss"
              onClick={() => setFlash(null)}
            >
              ×
            </button>
          </div>
        ) : null}
      </div>
    </FlashContext.Provider>
  );
}

export const useFlash = () => useContext(FlashContext);
