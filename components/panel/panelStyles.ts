import { PANEL_SECTIONS } from './panelSections';

/**
 * The panel's whole stylesheet. Every rule is scoped under `.crm-panel`: in Outlook it
 * lives in a shadow root, but the Gmail sidebar element is part of Gmail's document,
 * so an unscoped rule would restyle Gmail and Gmail's rules would reach us. The first
 * block resets what webmail stylesheets commonly set on bare elements.
 */
/**
 * Every colour of the panel for one scheme, scoped under `scope`: the colour variables and
 * the few fixed colours (badges, the queued state, the loading shimmer, the primary
 * button's hover). One definition serves the system-scheme media query here and the
 * Outlook dock, which follows Outlook's own theme instead (entrypoints/outlook.content).
 */
export function panelColours(scope: string, scheme: 'light' | 'dark'): string {
  const c = PANEL_COLOURS[scheme];
  return `
${scope} {
  --crm-fg: ${c.fg}; --crm-muted: ${c.muted}; --crm-border: ${c.border}; --crm-bg: ${c.bg};
  --crm-bg-subtle: ${c.bgSubtle}; --crm-accent: ${c.accent}; --crm-accent-fg: ${c.accentFg};
  --crm-danger: ${c.danger}; --crm-warning-bg: ${c.warningBg}; --crm-success: ${c.success};
  --crm-focus: ${c.accent}; color-scheme: ${scheme};
}
${scope} .crm-button-primary { color: ${c.primaryFg}; }
${scope} .crm-button-primary:hover:not(:disabled) { background: ${c.primaryHover}; }
${scope} .crm-stage, ${scope} .crm-source-outlook { background: ${c.blue.bg}; border-color: ${c.blue.border}; color: ${c.blue.fg}; }
${scope} .crm-source-gmail { background: ${c.red.bg}; border-color: ${c.red.border}; color: ${c.red.fg}; }
${scope} .crm-source-crm { background: ${c.green.bg}; border-color: ${c.green.border}; color: ${c.green.fg}; }
${scope} .crm-queued { color: ${c.queued}; }
${scope} .crm-skeleton-line, ${scope} .crm-skeleton-block {
  background: linear-gradient(90deg, ${c.shimmer[0]} 25%, ${c.shimmer[1]} 50%, ${c.shimmer[0]} 75%);
  background-size: 200% 100%;
}
`;
}

const PANEL_COLOURS = {
  light: {
    fg: '#1f2328',
    muted: '#59636e',
    border: '#d1d9e0',
    bg: '#ffffff',
    bgSubtle: '#f6f8fa',
    accent: '#0969da',
    accentFg: '#ffffff',
    danger: '#cf222e',
    warningBg: '#fff8c5',
    success: '#1a7f37',
    primaryFg: '#ffffff',
    primaryHover: '#0550ae',
    blue: { bg: '#ddf4ff', border: '#b6e3ff', fg: '#0550ae' },
    red: { bg: '#ffebe9', border: '#ffcecb', fg: '#a40e26' },
    green: { bg: '#dafbe1', border: '#aceebb', fg: '#116329' },
    queued: '#7d4e00',
    shimmer: ['#eaeef2', '#f6f8fa'],
  },
  dark: {
    fg: '#e6edf3',
    muted: '#9ea7b3',
    border: '#3d444d',
    bg: '#151b23',
    bgSubtle: '#212830',
    accent: '#4493f8',
    accentFg: '#ffffff',
    danger: '#f47067',
    warningBg: '#3d2e00',
    success: '#57ab5a',
    primaryFg: '#0d1117',
    primaryHover: '#6cb6ff',
    blue: { bg: '#0c2d6b', border: '#1f4f99', fg: '#cae8ff' },
    red: { bg: '#5d0f12', border: '#8e1519', fg: '#ffdcd7' },
    green: { bg: '#0f3d1e', border: '#1b6b34', fg: '#aff5b4' },
    queued: '#e3b341',
    shimmer: ['#212830', '#2f3742'],
  },
} as const;

const baseStyles = `
.crm-panel {
  all: initial;
  display: block;
  box-sizing: border-box;
  width: 100%;
  max-width: 360px;
  min-width: 260px;
  color: var(--crm-fg);
  background: var(--crm-bg);
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  font-size: 13px;
  line-height: 1.4;
  text-align: left;
}
.crm-panel *, .crm-panel *::before, .crm-panel *::after {
  box-sizing: border-box;
  font-family: inherit;
  letter-spacing: normal;
}
.crm-panel h2, .crm-panel h3, .crm-panel h4, .crm-panel h5, .crm-panel p,
.crm-panel ul, .crm-panel ol, .crm-panel dl, .crm-panel dd, .crm-panel form {
  margin: 0;
  padding: 0;
}
.crm-panel ul, .crm-panel ol { list-style: none; }
/* Underlined, not only coloured: a link inside text must not rely on colour alone (WCAG 1.4.1). */
.crm-panel a { color: var(--crm-accent); text-decoration: underline; text-underline-offset: 2px; }
.crm-panel a:hover { text-decoration-thickness: 2px; }
.crm-panel [hidden] { display: none !important; }
.crm-panel :focus { outline: none; }
.crm-panel :focus-visible {
  outline: 2px solid var(--crm-focus);
  outline-offset: 2px;
  border-radius: 3px;
}

.crm-panel .crm-header {
  display: flex;
  align-items: center;
  gap: 8px;
  padding: 8px 12px;
  border-bottom: 1px solid var(--crm-border);
  background: var(--crm-bg-subtle);
}
.crm-panel .crm-title { font-size: 14px; font-weight: 600; }
.crm-panel .crm-user {
  flex: 1;
  min-width: 0;
  overflow: hidden;
  text-overflow: ellipsis;
  white-space: nowrap;
  color: var(--crm-muted);
}
.crm-panel .crm-icon-button {
  margin-left: auto;
  width: 28px;
  height: 28px;
  border: 1px solid transparent;
  border-radius: 6px;
  background: transparent;
  color: var(--crm-fg);
  font-size: 14px;
  cursor: pointer;
}
.crm-panel .crm-icon-button:hover { background: var(--crm-border); }
.crm-panel .crm-body { display: flex; flex-direction: column; gap: 12px; padding: 12px; }

.crm-panel .crm-section { display: flex; flex-direction: column; gap: 6px; }
.crm-panel .crm-section-head { display: flex; align-items: center; justify-content: space-between; gap: 8px; }
.crm-panel .crm-heading {
  font-size: 11px;
  font-weight: 600;
  text-transform: uppercase;
  letter-spacing: 0.04em;
  color: var(--crm-muted);
}
.crm-panel .crm-subheading { font-size: 12px; font-weight: 600; }
.crm-panel .crm-muted { color: var(--crm-muted); font-size: 12px; }
.crm-panel .crm-error { color: var(--crm-danger); font-size: 12px; }
.crm-panel .crm-empty { color: var(--crm-muted); padding: 16px 0; text-align: center; }

.crm-panel .crm-button {
  display: inline-flex;
  align-items: center;
  gap: 6px;
  padding: 3px 10px;
  border: 1px solid var(--crm-border);
  border-radius: 6px;
  background: var(--crm-bg);
  color: var(--crm-fg);
  font-size: 12px;
  font-weight: 500;
  line-height: 20px;
  white-space: nowrap;
  cursor: pointer;
}
.crm-panel .crm-button:hover:not(:disabled):not([aria-disabled="true"]) { background: var(--crm-bg-subtle); }
.crm-panel .crm-button:disabled, .crm-panel .crm-button[aria-disabled="true"] { opacity: 0.55; cursor: not-allowed; }
.crm-panel .crm-button-primary { background: var(--crm-accent); border-color: var(--crm-accent); color: var(--crm-accent-fg); }
.crm-panel .crm-link-button {
  align-self: flex-start;
  padding: 0;
  border: 0;
  background: none;
  color: var(--crm-accent);
  font-size: 12px;
  cursor: pointer;
}

/* Receipt actions (ReceiptActions): theme variables only, so dark mode follows. */
.crm-panel .crm-button-danger { border-color: var(--crm-danger); color: var(--crm-danger); }
.crm-panel .crm-receipt-actions { display: flex; flex-wrap: wrap; gap: 4px 10px; align-items: center; font-size: 12px; }
.crm-panel .crm-receipt-confirm { margin: 0; padding: 6px 8px; border: 1px solid var(--crm-danger); border-radius: 6px; }
.crm-panel .crm-receipt-confirm legend { padding: 0 4px; }
.crm-panel .crm-receipt-actions :focus-visible { outline: 2px solid var(--crm-accent); outline-offset: 1px; }

.crm-panel .crm-badge {
  display: inline-block;
  padding: 0 6px;
  border-radius: 10px;
  background: var(--crm-bg-subtle);
  border: 1px solid var(--crm-border);
  color: var(--crm-muted);
  font-size: 11px;
  line-height: 16px;
  white-space: nowrap;
}

.crm-panel .crm-contacts, .crm-panel .crm-unknowns, .crm-panel .crm-log-list { display: flex; flex-direction: column; gap: 8px; }
.crm-panel .crm-card {
  display: flex;
  flex-direction: column;
  gap: 6px;
  padding: 10px;
  border: 1px solid var(--crm-border);
  border-radius: 8px;
}
.crm-panel .crm-card-head { display: flex; align-items: baseline; justify-content: space-between; gap: 8px; }
.crm-panel .crm-card-name { font-size: 14px; font-weight: 600; overflow-wrap: anywhere; }
.crm-panel .crm-card-line { color: var(--crm-muted); overflow-wrap: anywhere; }
.crm-panel .crm-facts { display: grid; grid-template-columns: auto 1fr; gap: 2px 8px; font-size: 12px; }
.crm-panel .crm-facts dt { color: var(--crm-muted); }
.crm-panel .crm-facts dd { overflow-wrap: anywhere; }
.crm-panel .crm-deal { display: flex; flex-direction: column; gap: 2px; padding: 4px 0; border-top: 1px solid var(--crm-bg-subtle); }
.crm-panel .crm-deal-meta { display: flex; align-items: center; gap: 6px; }
.crm-panel .crm-deal-amount { font-variant-numeric: tabular-nums; font-weight: 500; }

.crm-panel .crm-timeline { display: flex; flex-direction: column; gap: 8px; }
.crm-panel .crm-timeline-item { display: flex; gap: 8px; }
.crm-panel .crm-timeline-body { display: flex; flex-direction: column; gap: 2px; min-width: 0; }
.crm-panel .crm-timeline-head { display: flex; align-items: center; gap: 6px; min-width: 0; }
.crm-panel .crm-timeline-subject { font-weight: 500; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.crm-panel .crm-timeline-snippet {
  color: var(--crm-muted);
  font-size: 12px;
  display: -webkit-box;
  -webkit-line-clamp: 2;
  -webkit-box-orient: vertical;
  overflow: hidden;
  overflow-wrap: anywhere;
}
.crm-panel .crm-direction { display: inline-block; flex: none; width: 16px; margin-right: 2px; font-weight: 700; text-align: center; }
.crm-panel .crm-direction-incoming { color: var(--crm-accent); }
.crm-panel .crm-direction-outgoing { color: var(--crm-success); }
.crm-panel .crm-attachment { flex: none; font-size: 12px; }

.crm-panel .crm-unknown {
  display: flex;
  flex-direction: column;
  gap: 6px;
  padding: 8px 10px;
  border: 1px dashed var(--crm-border);
  border-radius: 8px;
}
.crm-panel .crm-unknown-who { display: flex; flex-direction: column; min-width: 0; }
.crm-panel .crm-unknown-name { font-weight: 600; overflow-wrap: anywhere; }
.crm-panel .crm-unknown-address { overflow-wrap: anywhere; }
.crm-panel .crm-unknown > .crm-button { align-self: flex-start; }
.crm-panel .crm-other-address { display: flex; flex-direction: column; align-items: flex-start; gap: 4px; }
.crm-panel .crm-confirm, .crm-panel fieldset.crm-form { margin: 0; padding: 6px 0 0; border: 0; min-width: 0; }
.crm-panel .crm-form select {
  padding: 4px 6px;
  border: 1px solid var(--crm-border);
  border-radius: 6px;
  background: var(--crm-bg);
  color: var(--crm-fg);
  font-size: 13px;
}
.crm-panel .crm-form { display: flex; flex-direction: column; gap: 4px; }
.crm-panel .crm-form label { font-size: 12px; color: var(--crm-muted); }
.crm-panel .crm-form input {
  width: 100%;
  padding: 4px 6px;
  border: 1px solid var(--crm-border);
  border-radius: 6px;
  background: var(--crm-bg);
  color: var(--crm-fg);
  font-size: 13px;
}
.crm-panel .crm-form input[readonly] { background: var(--crm-bg-subtle); color: var(--crm-muted); }
.crm-panel .crm-form-actions { display: flex; gap: 6px; margin-top: 4px; }

.crm-panel .crm-log-row {
  display: flex;
  flex-direction: column;
  gap: 4px;
  padding: 6px 0;
  border-top: 1px solid var(--crm-bg-subtle);
}
.crm-panel .crm-log-what { display: flex; flex-direction: column; min-width: 0; }
.crm-panel .crm-log-subject { font-weight: 500; overflow-wrap: anywhere; }
.crm-panel .crm-log-state { display: flex; flex-wrap: wrap; align-items: center; gap: 6px; font-size: 12px; }
.crm-panel .crm-logged { color: var(--crm-success); }
.crm-panel .crm-in-crm { color: var(--crm-success); border-color: var(--crm-success); margin-left: 4px; vertical-align: middle; }
.crm-panel .crm-receipt { display: flex; flex-direction: column; gap: 2px; min-width: 0; flex-basis: 100%; }
.crm-panel .crm-receipt-detail { overflow-wrap: anywhere; }
.crm-panel .crm-receipt-rule { font-weight: 500; }
.crm-panel .crm-receipt-skipped .crm-receipt-rule { color: var(--crm-fg); }
.crm-panel .crm-receipt-muted .crm-receipt-rule { color: var(--crm-muted); font-weight: 400; }
.crm-panel .crm-approximate .crm-badge { border-style: dashed; cursor: help; }

.crm-panel .crm-notice { padding: 6px 8px; border-radius: 6px; background: var(--crm-bg-subtle); font-size: 12px; }
.crm-panel .crm-notice-warning { display: flex; flex-direction: column; gap: 6px; align-items: flex-start; background: var(--crm-warning-bg); }
.crm-panel .crm-refreshing { font-size: 11px; }
.crm-panel .crm-state { display: flex; flex-direction: column; gap: 8px; align-items: flex-start; padding: 8px 0; }
.crm-panel .crm-state-title { font-weight: 600; font-size: 14px; }

.crm-panel .crm-spinner {
  width: 12px;
  height: 12px;
  border: 2px solid var(--crm-border);
  border-top-color: var(--crm-accent);
  border-radius: 50%;
  animation: crm-panel-spin 0.8s linear infinite;
}
.crm-panel .crm-skeleton { display: flex; flex-direction: column; gap: 8px; }
.crm-panel .crm-skeleton-line, .crm-panel .crm-skeleton-block {
  height: 10px;
  border-radius: 4px;
  background-size: 200% 100%;
  animation: crm-panel-shimmer 1.2s ease-in-out infinite;
}
.crm-panel .crm-skeleton-title { height: 14px; width: 60%; }
.crm-panel .crm-skeleton-short { width: 40%; }
.crm-panel .crm-skeleton-block { height: 64px; }
@keyframes crm-panel-spin { to { transform: rotate(360deg); } }
@keyframes crm-panel-shimmer { from { background-position: 200% 0; } to { background-position: -200% 0; } }
@media (prefers-reduced-motion: reduce) {
  .crm-panel .crm-spinner, .crm-panel .crm-skeleton-line, .crm-panel .crm-skeleton-block { animation: none; }
}

.crm-panel .crm-visually-hidden {
  position: absolute;
  width: 1px;
  height: 1px;
  margin: -1px;
  padding: 0;
  overflow: hidden;
  clip: rect(0 0 0 0);
  white-space: nowrap;
  border: 0;
}

${panelColours('.crm-panel', 'light')}
/* Dark mode follows the system setting (in Outlook, the page's theme: OutlookPanelDock). */
@media (prefers-color-scheme: dark) {
${panelColours('.crm-panel', 'dark')}
}
`;

/** The base rules, then each panel section's own (components/panel/panelSections). */
export const panelStyles = [baseStyles, ...PANEL_SECTIONS.map((section) => section.styles)].join('\n');
