"use strict";
// The error viewer: draws one document's gold and predicted entities over its text, lists the errors of
// every document, filters them by kind, type and confidence. Data: the JSON of #viewer-data.
(function () {
  const data = JSON.parse(document.getElementById("viewer-data").textContent);
  const byId = (id) => document.getElementById(id);
  const docIndex = new Map(data.documents.map((d, i) => [d.id, i]));
  let current = 0;

  function el(tag, attrs, text) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) node.setAttribute(key, value);
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function describe(doc, ent) {
    const parts = [`${ent.side} ${ent.type} "${ent.text}"`, data.kinds[ent.kind]];
    if (ent.confidence !== null) parts.push(`confidence ${ent.confidence.toFixed(4)}`);
    const others = ent.others.map((id) => doc.entities.find((e) => e.key === id))
      .map((o) => `${o.side} ${o.type} "${o.text}"` + (o.confidence !== null ? ` (${o.confidence.toFixed(4)})` : ""));
    if (others.length) parts.push(others.join("; "));
    return parts.join(" · ");
  }

  function filters() {
    const checked = (selector) => new Set([...document.querySelectorAll(selector)].filter((i) => i.checked).map((i) => i.value));
    return {
      kinds: checked(".filter-kind"), types: checked(".filter-type"),
      min: parseFloat(byId("conf-min").value) || 0, max: byId("conf-max").value === "" ? 1 : parseFloat(byId("conf-max").value),
      none: byId("conf-none").checked, thisDoc: byId("this-doc").checked,
    };
  }

  function shown(f, kind, type, confidence, docId) {
    if (!f.kinds.has(kind) || !f.types.has(type)) return false;
    if (f.thisDoc && docId !== data.documents[current].id) return false;
    if (confidence === null || confidence === "") return f.none;
    const value = Number(confidence);
    return value >= f.min && value <= f.max;
  }

  function applyFilters() {
    const f = filters();
    let count = 0;
    for (const node of document.querySelectorAll("#errors li, .ent.error")) {
      const visible = shown(f, node.dataset.kind, node.dataset.type, node.dataset.confidence ?? null, node.dataset.doc);
      node.classList.toggle("filtered", !visible);
      if (visible && node.tagName === "LI") count += 1;
    }
    byId("error-count").textContent = `${count} of ${byId("errors").children.length} errors shown`;
    const hash = new URLSearchParams({ doc: data.documents[current].id });
    history.replaceState(null, "", "#" + hash.toString());
  }

  function draw() {
    const doc = data.documents[current];
    const text = byId("doc-text");
    const layer = byId("layer");
    text.textContent = doc.text;
    layer.replaceChildren();
    const node = text.firstChild;
    const origin = layer.getBoundingClientRect();
    for (const ent of doc.entities) {
      for (const [start, end] of ent.fragments) {
        if (!node) continue;
        const range = document.createRange();
        range.setStart(node, start);
        range.setEnd(node, end);
        for (const rect of range.getClientRects()) {
          if (rect.width === 0) continue;
          const box = el("div", {
            class: `ent side-${ent.side} type-${ent.typeIndex} kind-${ent.kind}` + (ent.kind === "correct" ? "" : " error"),
            "data-entity": ent.key, "data-kind": ent.kind, "data-type": ent.type, "data-doc": doc.id,
            "data-confidence": ent.confidence === null ? "" : String(ent.confidence), title: describe(doc, ent),
          });
          const pad = ent.side === "gold" ? 3 : 0;
          Object.assign(box.style, {
            left: `${rect.left - origin.left}px`, top: `${rect.top - origin.top}px`,
            width: `${rect.width}px`, height: `${rect.height + pad}px`,
          });
          layer.appendChild(box);
        }
      }
    }
    byId("doc-counts").textContent = `${doc.errors} error(s), ${doc.entities.filter((e) => e.side === "gold").length} gold entities`;
  }

  function show(index, entityKey) {
    current = Math.max(0, Math.min(data.documents.length - 1, index));
    const doc = data.documents[current];
    byId("doc-select").value = doc.id;
    for (const link of document.querySelectorAll("a.model-link")) {
      link.href = `${link.dataset.page}#doc=${encodeURIComponent(doc.id)}`;
    }
    draw();
    applyFilters();
    if (entityKey) {
      const boxes = [...document.querySelectorAll(".ent")].filter((b) => b.dataset.entity === entityKey);
      if (boxes.length) {
        boxes[0].scrollIntoView({ block: "center" });
        boxes.forEach((b) => b.classList.add("flash"));
      }
    }
  }

  function build() {
    const models = byId("models");
    models.appendChild(el("span", { class: "current" }, data.model));
    for (const link of data.links) {
      models.appendChild(el("a", { class: "model-link", "data-page": link.href, href: link.href }, link.name));
    }
    const select = byId("doc-select");
    for (const doc of data.documents) select.appendChild(el("option", { value: doc.id }, `${doc.id} (${doc.errors})`));
    select.addEventListener("change", () => show(docIndex.get(select.value)));
    byId("doc-prev").addEventListener("click", () => show(current - 1));
    byId("doc-next").addEventListener("click", () => show(current + 1));

    const legend = byId("legend");
    data.types.forEach((type, i) => legend.appendChild(el("span", { class: `swatch type-${i}` }, type)));
    const kinds = byId("filter-kinds");
    for (const [kind, title] of Object.entries(data.kinds)) {
      if (kind === "correct") continue;
      const label = el("label", { class: `kind-${kind}` });
      label.append(el("input", { type: "checkbox", class: "filter-kind", value: kind, checked: "" }), ` ${title}`);
      kinds.appendChild(label);
    }
    const types = byId("filter-types");
    data.types.forEach((type) => {
      const label = el("label");
      label.append(el("input", { type: "checkbox", class: "filter-type", value: type, checked: "" }), ` ${type}`);
      types.appendChild(label);
    });
    byId("filters").addEventListener("input", applyFilters);
    byId("filters").addEventListener("change", applyFilters);

    const list = byId("errors");
    data.documents.forEach((doc, index) => {
      for (const ent of doc.entities) {
        if (ent.kind === "correct") continue;
        const item = el("li", {
          class: `error kind-${ent.kind}`, "data-entity": ent.key, "data-kind": ent.kind, "data-type": ent.type,
          "data-doc": doc.id, "data-confidence": ent.confidence === null ? "" : String(ent.confidence),
          title: describe(doc, ent),
        });
        item.append(el("span", { class: "doc-id" }, `${doc.id} `), `${data.kinds[ent.kind]} · ${ent.side} ${ent.type} "${ent.text}"`
          + (ent.confidence === null ? "" : ` · ${ent.confidence.toFixed(2)}`));
        item.addEventListener("click", () => show(index, ent.key));
        list.appendChild(item);
      }
    });
  }

  function fromHash() {
    const doc = new URLSearchParams(location.hash.slice(1)).get("doc");
    return docIndex.has(doc) ? docIndex.get(doc) : 0;
  }

  build();
  show(fromHash());
  window.addEventListener("hashchange", () => { if (fromHash() !== current) show(fromHash()); });
  window.addEventListener("resize", () => { draw(); applyFilters(); });
  document.body.dataset.ready = "true";
})();
