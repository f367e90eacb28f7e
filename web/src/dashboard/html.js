// Small HTML helpers shared by the dashboard's widgets. Every text from the API goes
// through `escape` before it reaches innerHTML.
export const escape = (text) =>
  String(text ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);

export const time = (t) => `<time>${new Date(t).toLocaleTimeString()}</time>`;
export const tag = (s) => `<span class="tag ${escape(s)}">${escape(s)}</span>`;
