import { type RefObject, useLayoutEffect, useRef, useState } from 'react';

/**
 * The scroll offset and visible height of a scrolling element, kept current on scroll and resize:
 * what a windowed table needs to draw only the rows in view.
 */
export function useScrollView<T extends HTMLElement>(): {
  ref: RefObject<T | null>;
  top: number;
  height: number;
} {
  const ref = useRef<T>(null);
  const [view, setView] = useState({ top: 0, height: 800 });
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const update = () => setView({ top: el.scrollTop, height: el.clientHeight });
    update();
    el.addEventListener('scroll', update, { passive: true });
    const resize = new ResizeObserver(update);
    resize.observe(el);
    return () => {
      el.removeEventListener('scroll', update);
      resize.disconnect();
    };
  }, []);
  return { ref, ...view };
}
