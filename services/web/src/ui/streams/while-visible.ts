/**
 * Runs `start` while the page is visible, and the stop it returns while the page is hidden.
 * Over HTTP/1.1 a browser opens at most six connections to one origin, shared by all its tabs,
 * and each open event stream holds one: five background tabs of the UI would leave the sixth
 * none for its API calls. A hidden tab gives its streams back and catches up when shown again.
 */
export function whileVisible(start: () => () => void): () => void {
  let stop: (() => void) | null = null;
  const update = () => {
    if (document.visibilityState === 'hidden') {
      stop?.();
      stop = null;
    } else stop ??= start();
  };
  update();
  document.addEventListener('visibilitychange', update);
  return () => {
    document.removeEventListener('visibilitychange', update);
    stop?.();
    stop = null;
  };
}
