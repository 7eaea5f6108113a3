// Small DOM helpers. Every text given to them is inserted as a text node: user text is never parsed as HTML.

const PROPS = new Set(['value', 'checked', 'disabled', 'selected', 'hidden', 'multiple']);

/** Make an element: `attrs` are attributes (`on…` functions become listeners), children are nodes or text. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (PROPS.has(key)) el[key] = value;
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

/** Append nodes or text (as text nodes) to `el`, skipping empty values. */
export function append(el, children) {
  for (const child of children.flat(Number.POSITIVE_INFINITY)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

/** Replace the children of `el` (empty values skipped, text as text nodes). */
export function fill(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

let ids = 0;
/** A unique element id, to tie a label to its input. */
export function uid(prefix = 'f') {
  ids += 1;
  return `${prefix}-${ids}`;
}

/** A labelled input, textarea or select: `[label, control]`. */
export function field(labelText, control, hint) {
  control.id ||= uid();
  const label = h('label', { for: control.id }, labelText);
  if (!hint) return [label, control];
  const hintId = uid('hint');
  control.setAttribute('aria-describedby', hintId);
  return [label, control, h('p', { class: 'muted', id: hintId }, hint)];
}

/** A status line for errors and confirmations of one part of a page (announced by screen readers). */
export function statusLine() {
  const el = h('div', { role: 'status', 'aria-live': 'polite' });
  return {
    el,
    error(err) {
      el.replaceChildren(h('p', { class: 'error', role: 'alert' }, err instanceof Error ? err.message : String(err)));
    },
    ok(text) {
      el.replaceChildren(h('p', { class: 'notice' }, text));
    },
    clear() {
      el.replaceChildren();
    },
  };
}

/**
 * Run `action` with `button` disabled; an error goes to `status`. Resolves with the action's result or undefined.
 * A user's action (with its button) clears the last message first; a reload after it (no button) keeps it.
 */
export async function busy(button, status, action) {
  if (button) {
    button.disabled = true;
    status?.clear();
  }
  try {
    return await action();
  } catch (err) {
    status?.error(err);
    return undefined;
  } finally {
    if (button) button.disabled = false;
  }
}

/**
 * A button that asks before it acts: pressed, it puts into `actions` the `question` (when given), a primary button
 * `confirmLabel` that runs `onConfirm(event)`, and "Thôi", which puts back what `restore()` gives.
 */
export function confirmButton(label, { actions, question, confirmLabel, onConfirm, restore }) {
  const ask = () => {
    const confirm = h('button', { type: 'button', class: 'primary', onclick: onConfirm }, confirmLabel);
    const cancel = h('button', { type: 'button', onclick: () => actions.replaceChildren(...restore()) }, 'Thôi');
    actions.replaceChildren(...(question ? [h('span', {}, question)] : []), confirm, cancel);
    confirm.focus();
  };
  return h('button', { type: 'button', onclick: ask }, label);
}

const DAY = { timeZone: 'Asia/Ho_Chi_Minh', day: '2-digit', month: '2-digit', year: 'numeric' };
const dateTime = new Intl.DateTimeFormat('vi-VN', { ...DAY, hour: '2-digit', minute: '2-digit' });
const dateOnly = new Intl.DateTimeFormat('vi-VN', DAY);

/** A date and time in Vietnam time, or a dash. */
export function when(iso) {
  if (!iso) return '–';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso) : dateTime.format(d);
}

/** A day (`YYYY-MM-DD` or ISO) as `dd/mm/yyyy`. */
export function day(iso) {
  if (!iso) return '–';
  const d = new Date(/^\d{4}-\d{2}-\d{2}$/.test(iso) ? `${iso}T12:00:00+07:00` : iso);
  return Number.isNaN(d.getTime()) ? String(iso) : dateOnly.format(d);
}

/** A number in Vietnamese notation. */
export function num(n, digits = 0) {
  if (n === undefined || n === null || Number.isNaN(Number(n))) return '–';
  return Number(n).toLocaleString('vi-VN', { maximumFractionDigits: digits });
}

/** A table with a caption, header cells and rows of text (or nodes); numbers aligned right. */
export function table(caption, headers, rows) {
  const numeric = (v) => typeof v === 'number';
  return h(
    'div',
    { class: 'scroll', tabindex: '0', role: 'region', 'aria-label': caption },
    h(
      'table',
      {},
      h('caption', { class: 'muted' }, caption),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          headers.map((x) => h('th', { scope: 'col' }, x)),
        ),
      ),
      h(
        'tbody',
        {},
        rows.map((row) =>
          h(
            'tr',
            {},
            row.map((cell) => h('td', { class: numeric(cell) ? 'num' : undefined }, numeric(cell) ? num(cell, 2) : cell)),
          ),
        ),
      ),
    ),
  );
}

/** Call `fn` once typing pauses for `ms`. */
export function debounce(fn, ms) {
  let timer;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}
