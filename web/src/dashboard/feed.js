// A list of rows keyed by global id: the current state is loaded into it first, then
// live events update the row they concern (moved to the top) instead of adding a copy.
export class Feed {
  // render(item) -> the row's inner HTML; every item has an `id`.
  constructor(element, empty, render, limit = 50) {
    this.element = element;
    this.empty = empty;
    this.render = render;
    this.limit = limit;
    this.items = new Map();
    this.rows = new Map();
  }

  // Replaces every row with `items` (newest first): the state a query returned.
  reset(items) {
    this.items.clear();
    this.rows.clear();
    this.element.innerHTML = '';
    for (const item of [...items].reverse()) this.upsert(item, { fresh: false });
    if (!items.length) this.element.innerHTML = `<li class="empty">${this.empty}</li>`;
  }

  get(id) {
    return this.items.get(id);
  }

  // Shows `item` at the top, replacing the row with the same id if there is one.
  upsert(item, { fresh = true } = {}) {
    this.element.querySelector('.empty')?.remove();
    let li = this.rows.get(item.id);
    if (!li) {
      li = document.createElement('li');
      li.dataset.id = item.id;
      this.rows.set(item.id, li);
    }
    this.items.set(item.id, item);
    li.innerHTML = this.render(item);
    li.className = fresh ? 'fresh' : '';
    this.element.prepend(li);
    while (this.element.children.length > this.limit) {
      const last = this.element.lastElementChild;
      this.items.delete(last.dataset.id);
      this.rows.delete(last.dataset.id);
      last.remove();
    }
  }
}
