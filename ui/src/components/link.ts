/** In-page links: a real href (open in a new tab works) plus a click handler that avoids a reload. */
import { formatViewState, type ViewState } from '../lib/url-state.js';

/** Props of an anchor that navigates to `next`. */
export interface LinkProps {
  readonly href: string;
  readonly onClick: (e: MouseEvent) => void;
}

/** Builds {href, onClick} for a link to another view state. */
export function linkTo(next: ViewState, navigate: (s: ViewState) => void): LinkProps {
  return {
    href: formatViewState(next) || '?',
    onClick: (e: MouseEvent) => {
      if (e.metaKey || e.ctrlKey || e.shiftKey || e.altKey || e.button !== 0) return;
      e.preventDefault();
      navigate(next);
    },
  };
}
