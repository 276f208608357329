/**
 * The focus rules of the page's modal dialogs (Templates, Reports), in one place: the focus moves in
 * when one opens, stays in while it is open, and goes back to the button that opened it when it closes.
 */
import type { RefObject } from 'preact';
import { useLayoutEffect, useRef } from 'preact/hooks';

const FOCUSABLE = 'button, input, textarea, select, [href], [tabindex]:not([tabindex="-1"])';

/** The dialog's controls that take the focus, in document order. */
function focusables(sheet: HTMLElement): HTMLElement[] {
  return Array.from(sheet.querySelectorAll<HTMLElement>(FOCUSABLE)).filter(
    (el) => !el.hasAttribute('disabled'),
  );
}

/**
 * Focus and keys for a modal's lifetime. `opener` is the button that opened it: the focus goes back there,
 * not to whatever held the focus when the dialog appeared (a click that does not focus its button leaves the
 * focus on the page's body). A layout effect, not a plain one: a plain effect waits for the next frame, and
 * an Esc pressed on a busy machine before that frame went to the page instead — CI saw the dialog stay
 * open. `onKeyDown` is the dialog's
 * own key handler: it also gets the keys pressed while the focus is outside the dialog (on the page's body
 * after a click on the dialog's text, or before the focus moved in), so Esc closes the dialog then too and
 * the page's letter shortcuts never act under it.
 */
export function useModalFocus(
  sheet: RefObject<HTMLElement | null>,
  opener: RefObject<HTMLElement | null>,
  onKeyDown: (e: KeyboardEvent) => void,
): void {
  const handler = useRef(onKeyDown);
  handler.current = onKeyDown;
  useLayoutEffect(() => {
    const back = opener.current;
    if (sheet.current) focusables(sheet.current)[0]?.focus();
    // A re-render that removes the focused control sends Tab back to the page's top: the focus that
    // lands outside comes back to the dialog's first control.
    const keep = (e: FocusEvent) => {
      if (sheet.current && e.target instanceof Node && !sheet.current.contains(e.target))
        focusables(sheet.current)[0]?.focus();
    };
    // Captured at the document, before the page's own (window) listener sees the key.
    const keys = (e: KeyboardEvent) => {
      if (sheet.current && !(e.target instanceof Node && sheet.current.contains(e.target)))
        handler.current(e);
    };
    document.addEventListener('focusin', keep);
    document.addEventListener('keydown', keys, true);
    return () => {
      document.removeEventListener('focusin', keep);
      document.removeEventListener('keydown', keys, true);
      back?.focus();
    };
  }, []);
}

/** Tab and Shift+Tab cycle through the dialog's controls instead of leaving it. */
export function keepTabInside(e: KeyboardEvent, sheet: HTMLElement | null): void {
  if (e.key !== 'Tab' || !sheet) return;
  const all = focusables(sheet);
  const first = all[0];
  const last = all.at(-1);
  if (!first || !last) return;
  if (e.shiftKey && document.activeElement === first) {
    e.preventDefault();
    last.focus();
  } else if (!e.shiftKey && document.activeElement === last) {
    e.preventDefault();
    first.focus();
  }
}
