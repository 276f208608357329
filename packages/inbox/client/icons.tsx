/** Icons as inline SVG (DOM, so the CSP allows them, and no emoji font is needed). */
export function PaperClip() {
  return (
    <svg width="16" height="16" viewBox="0 0 24 24" aria-hidden="true" class="icon">
      <path
        d="M16.5 6.5v10a4.5 4.5 0 0 1-9 0V5a3 3 0 0 1 6 0v10.5a1.5 1.5 0 0 1-3 0V6.5"
        fill="none"
        stroke="currentColor"
        stroke-width="2"
        stroke-linecap="round"
      />
    </svg>
  );
}

export function FileIcon() {
  return (
    <svg width="14" height="14" viewBox="0 0 24 24" aria-hidden="true" class="icon">
      <path
        d="M6 2h8l4 4v16H6z M14 2v4h4"
        fill="none"
        stroke="currentColor"
        stroke-width="2"
        stroke-linejoin="round"
      />
    </svg>
  );
}

export function Bell() {
  return (
    <svg width="16" height="16" viewBox="0 0 24 24" aria-hidden="true" class="icon">
      <path
        d="M6 16V11a6 6 0 0 1 12 0v5l2 2H4z M10 20a2 2 0 0 0 4 0"
        fill="none"
        stroke="currentColor"
        stroke-width="2"
        stroke-linejoin="round"
      />
    </svg>
  );
}

export function Speaker() {
  return (
    <svg width="16" height="16" viewBox="0 0 24 24" aria-hidden="true" class="icon">
      <path
        d="M4 9h4l5-4v14l-5-4H4z M16 9a4 4 0 0 1 0 6 M18.5 6.5a7.5 7.5 0 0 1 0 11"
        fill="none"
        stroke="currentColor"
        stroke-width="2"
        stroke-linejoin="round"
        stroke-linecap="round"
      />
    </svg>
  );
}
