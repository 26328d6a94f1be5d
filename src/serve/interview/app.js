// The web interview: asks, one at a time, the missing fact that would
// decide the most still-undetermined outcomes among those chosen, and after
// each answer shows what the evaluation (`POST /v1/eval`) decided. No
// framework, no build step: the server embeds this file as it is.
'use strict';

const S = {
  policies: null,
  facts: new Map(),      // name -> fact description from /v1/policies
  order: new Map(),      // name -> declaration index
  outcomes: new Map(),   // name -> outcome description
  rules: new Map(),      // name -> rule description
  chosen: [],            // outcome names to decide
  caseData: {},          // the case, as it will be downloaded
  skipped: new Set(),    // facts answered 不清楚
  answers: [],           // [fact, value] in the order given
  report: null,
  current: null,         // the fact being asked
};

const $ = (id) => document.getElementById(id);

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k.startsWith('data-')) e.setAttribute(k, v);
    else if (k in e && typeof v !== 'string') e[k] = v;
    else e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

function getFact(obj, name) {
  let at = obj;
  for (const part of name.split('.')) {
    if (at === null || typeof at !== 'object' || !(part in at)) return undefined;
    at = at[part];
  }
  return at === null ? undefined : at;
}

function setFact(obj, name, value) {
  const parts = name.split('.');
  const last = parts.pop();
  let at = obj;
  for (const part of parts) {
    if (at[part] === null || typeof at[part] !== 'object') at[part] = {};
    at = at[part];
  }
  at[last] = value;
}

function deleteFact(obj, name) {
  const parts = name.split('.');
  const last = parts.pop();
  let at = obj;
  for (const part of parts) {
    if (at === null || typeof at !== 'object') return;
    at = at[part];
  }
  if (at && typeof at === 'object') delete at[last];
}

function showError(messages) {
  const box = $('error');
  box.replaceChildren();
  if (!messages || messages.length === 0) return;
  box.append(el('p', {}, '无法处理：'), el('ul', {}, messages.map((m) => el('li', {}, m))));
}

function diagMessages(body) {
  if (body && Array.isArray(body.errors)) {
    return body.errors.map((d) => d.message + (d.help ? `（${d.help}）` : ''));
  }
  return ['服务器返回了无法读取的回答'];
}

async function evaluate() {
  const r = await fetch('/v1/eval?derivations=full', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(S.caseData),
  });
  const body = await r.json().catch(() => null);
  if (!r.ok) return { errors: diagMessages(body) };
  return { report: body };
}

function valueLabel(outcome, v) {
  if (v === null || v === undefined) return '—';
  if (v === true) return '是';
  if (v === false) return '否';
  const o = S.outcomes.get(outcome);
  const hit = o && o.values && o.values.find((x) => x.name === v);
  return hit ? `${hit.label}（${v}）` : String(v);
}

function factValueLabel(fact, v) {
  if (v === true) return '是';
  if (v === false) return '否';
  const f = S.facts.get(fact);
  const hit = f && f.values && f.values.find((x) => x.name === v);
  return hit ? `${hit.label}（${v}）` : String(v);
}

function factLabel(name) {
  if (name === 'as_of') return '评估日期';
  const f = S.facts.get(name);
  return f ? f.label : name;
}

function quote(cites, text) {
  return el('blockquote', {}, el('span', { class: 'para' }, cites), `「${text}」`);
}

// A trace node as a nested list item: the expression, its value, and where
// the value came from.
function traceItem(t, depth) {
  const parts = [el('code', {}, t.expr), ' = ', t.value === null ? (t.state || '未知') : JSON.stringify(t.value)];
  if (t.fact) parts.push(` ← 事实「${factLabel(t.fact)}」`);
  if (t.outcome) parts.push(` ← 结论「${(S.outcomes.get(t.outcome) || {}).label || t.outcome}」`);
  if (t.parameter) parts.push(` ← 参数 ${t.parameter}`);
  const li = el('li', {}, parts);
  const kids = t.operands || (t.body ? [t.body] : []);
  if (kids.length && depth < 8) li.append(el('ul', { class: 'trace' }, kids.map((k) => traceItem(k, depth + 1))));
  return li;
}

const RULE_STATUS = {
  applied: '✔ 适用',
  overridden: '✘ 被例外排除',
  not_applicable: '✘ 不适用',
  undetermined: '？ 尚不确定',
  conflicting: '⚠ 冲突',
  not_in_force: '— 未施行',
};

function derivationView(d) {
  const box = el('div', {});
  for (const r of d.rules || []) {
    const row = el('div', { class: 'rule' },
      el('span', { class: `rule-status ${r.status}` }, RULE_STATUS[r.status] || r.status), ' ',
      `规则 ${r.cites} ${r.rule}`,
      quote(r.cites, r.quote));
    if (r.overridden_by) row.append(el('p', {}, `被以下例外排除：${r.overridden_by.join('、')}`));
    if (r.why_not && r.why_not.length) {
      row.append(el('p', {}, '为何不适用：'), el('ul', { class: 'trace' }, r.why_not.map((t) => traceItem(t, 0))));
    } else if (r.condition) {
      row.append(el('p', {}, '条件：'), el('ul', { class: 'trace' }, traceItem(r.condition, 0)));
    }
    if (r.conclusion) row.append(el('p', {}, '结论：'), el('ul', { class: 'trace' }, traceItem(r.conclusion, 0)));
    box.append(row);
  }
  if (d.periods) {
    for (const p of d.periods) {
      box.append(el('p', {}, `${p.document}：${p.from} 至 ${p.to || '—'}`), quote(p.cites, p.quote));
    }
  }
  return box;
}

// Any JSON as nested definition lists (for `departures`, whose shape this
// page does not presume).
function jsonView(v) {
  if (v === null || typeof v !== 'object') return document.createTextNode(v === null ? '—' : String(v));
  const dl = el('dl', { class: 'json' });
  for (const [k, x] of Object.entries(v)) dl.append(el('dt', {}, Array.isArray(v) ? `${Number(k) + 1}.` : k), el('dd', {}, jsonView(x)));
  return dl;
}

function renderResults(report) {
  $('results').hidden = false;
  const decided = $('decided');
  const undecided = $('undecided');
  const na = $('na');
  decided.replaceChildren();
  undecided.replaceChildren();
  na.replaceChildren();
  for (const name of S.chosen) {
    const o = report.outcomes[name];
    if (!o) continue;
    const label = (S.outcomes.get(name) || {}).label || name;
    const attrs = { 'data-outcome': name, 'data-value': JSON.stringify(o.value), 'data-cites': JSON.stringify(o.cites || []) };
    if (o.value !== null) {
      const d = o.derivation || {};
      const deciding = (d.rules || []).filter((r) => (d.decided_by || []).includes(r.rule));
      const art = el('article', Object.assign({ class: 'outcome', 'aria-label': `${label}：${valueLabel(name, o.value)}` }, attrs),
        el('h4', {}, `${label} `, el('span', { class: 'name' }, name), '：', el('span', { class: 'value' }, valueLabel(name, o.value))));
      if (deciding.length) {
        for (const r of deciding) art.append(el('p', {}, `依据 ${r.cites} ${r.rule}`), quote(r.cites, r.quote));
      } else if (o.cites && o.cites.length) {
        art.append(el('p', {}, `依据 ${o.cites.join('、')}`));
      }
      if (name === 'in_force' && d.periods) art.append(derivationView(d));
      else art.append(el('details', {}, el('summary', {}, '推导：为何如此，为何不然'), derivationView(d)));
      decided.append(art);
    } else if (o.missing && o.missing.length) {
      undecided.append(el('li', attrs, `${label}（${name}）— 尚缺：${o.missing.map(factLabel).join('、')}`));
    } else if (o.conflict) {
      undecided.append(el('li', attrs, `${label}（${name}）— 规则冲突：${o.conflict.join('、')}`));
    } else if (o.blocked_by) {
      undecided.append(el('li', attrs, `${label}（${name}）— 所依赖的结论规则冲突：${o.blocked_by.join('、')}`));
    } else {
      na.append(el('li', attrs, `${label}（${name}）`));
    }
  }
  if (!decided.children.length) decided.append(el('p', {}, '尚无。'));
  const dep = $('departures');
  dep.replaceChildren();
  if (report.departures && (!Array.isArray(report.departures) || report.departures.length)) {
    dep.append(el('h3', { id: 'dep-h' }, '文件之间的差异'),
      el('div', { class: 'departures', 'aria-labelledby': 'dep-h' }, jsonView(report.departures)));
  }
  const answers = $('answers');
  answers.replaceChildren(...S.answers.map(([f, v]) =>
    el('li', {}, `${factLabel(f)}（${f}）：${v === null ? '不清楚' : factValueLabel(f, v)}`)));
}

// The next fact to ask: among the chosen outcomes still unknown, the
// missing fact that most of them need; ties go to the fact declared first.
function nextFact(report) {
  const counts = new Map();
  for (const name of S.chosen) {
    const o = report.outcomes[name];
    if (!o || o.value !== null || !o.missing) continue;
    for (const f of o.missing) {
      if (S.skipped.has(f) || getFact(S.caseData, f) !== undefined) continue;
      counts.set(f, (counts.get(f) || 0) + 1);
    }
  }
  let best = null;
  for (const [f, n] of counts) {
    const better = !best || n > best[1] ||
      (n === best[1] && (S.order.get(f) ?? 1e9) < (S.order.get(best[0]) ?? 1e9));
    if (better) best = [f, n];
  }
  return best;
}

function radio(name, value, text, id) {
  return el('label', { for: id }, el('input', { type: 'radio', name, value, id }), ` ${text}`);
}

function renderQuestion(fact, count, report) {
  const form = $('question');
  form.replaceChildren();
  form.dataset.fact = fact;
  delete form.dataset.done;
  const isAsOf = fact === 'as_of';
  const f = isAsOf ? { name: 'as_of', label: '评估日期', type: 'date', read_by: [] } : S.facts.get(fact);
  form.dataset.type = f.values ? 'enum' : f.type;
  const legend = el('legend', { class: 'question-label', id: 'q-legend' }, f.label, ' ', el('code', {}, fact));
  const fs = el('fieldset', { 'aria-describedby': 'q-why' }, legend);
  const why = isAsOf
    ? '评估所依据的日期：期限和效力均以此日判断。'
    : `回答这一问题可帮助确定 ${count} 项尚未确定的结论。`;
  fs.append(el('p', { id: 'q-why' }, why));
  // The paragraph the fact comes from: a rule reading it that concludes
  // an outcome still undetermined, else any rule reading it.
  let src = null;
  if (isAsOf) {
    const d = (S.policies.documents || [])[0];
    if (d && d.in_force && d.in_force.quote) src = { cites: d.in_force.cites, quote: d.in_force.quote };
  } else {
    const open = new Set(S.chosen.filter((n) => report.outcomes[n] && report.outcomes[n].value === null));
    src = (f.read_by || []).find((r) => open.has((S.rules.get(r.rule) || {}).outcome)) || (f.read_by || [])[0];
  }
  if (src) fs.append(quote(src.cites, src.quote));
  const inputs = el('div', { class: 'choices' });
  if (f.type === 'bool') {
    inputs.setAttribute('role', 'radiogroup');
    inputs.setAttribute('aria-labelledby', 'q-legend');
    inputs.append(radio('answer', 'true', '是', 'a-yes'), radio('answer', 'false', '否', 'a-no'), radio('answer', 'unknown', '不清楚', 'a-unknown'));
  } else if (f.values) {
    inputs.setAttribute('role', 'radiogroup');
    inputs.setAttribute('aria-labelledby', 'q-legend');
    f.values.forEach((v, i) => inputs.append(radio('answer', v.name, `${v.label}（${v.name}）`, `a-${i}`)));
    inputs.append(radio('answer', 'unknown', '不清楚', 'a-unknown'));
  } else {
    const type = f.type === 'date' ? 'date' : f.type === 'int' ? 'number' : 'text';
    const input = el('input', { type, id: 'a-input', name: 'answer', 'aria-labelledby': 'q-legend' });
    if (type === 'number') {
      input.step = '1';
      if (f.min !== undefined) input.min = String(f.min);
    }
    if (isAsOf) input.value = new Date().toISOString().slice(0, 10);
    inputs.append(input);
  }
  fs.append(inputs);
  form.append(fs, el('button', { type: 'submit', id: 'answer-btn' }, '确定'));
  if (!isAsOf && !(f.type === 'bool' || f.values)) {
    form.append(el('button', { type: 'button', id: 'skip-btn', class: 'secondary', onclick: () => answer(fact, null) }, '不清楚'));
  }
  $('status').textContent = `问题 ${S.answers.length + 1}：${f.label}`;
  const first = form.querySelector('input');
  if (first) first.focus();
}

function readAnswer(form) {
  const type = form.dataset.type;
  if (type === 'bool' || type === 'enum') {
    const checked = form.querySelector('input[name=answer]:checked');
    if (!checked) return { error: '请选择一项（或选“不清楚”）' };
    if (checked.value === 'unknown') return { value: null };
    if (type === 'bool') return { value: checked.value === 'true' };
    return { value: checked.value };
  }
  const raw = form.querySelector('#a-input').value.trim();
  if (raw === '') return { error: form.dataset.fact === 'as_of' ? '请填写评估日期' : '请填写，或按“不清楚”' };
  if (type === 'int') {
    if (!/^-?\d+$/.test(raw)) return { error: '请填写整数' };
    return { value: Number(raw) };
  }
  return { value: raw };
}

async function answer(fact, value) {
  showError([]);
  if (value === null) {
    S.skipped.add(fact);
  } else {
    setFact(S.caseData, fact, value);
  }
  const res = await evaluate();
  if (res.errors) {
    // The server refused the answer: take it back and ask again.
    if (value !== null) deleteFact(S.caseData, fact);
    showError(res.errors);
    const first = $('question').querySelector('input');
    if (first) first.focus();
    return;
  }
  S.answers.push([fact, value]);
  show(res.report);
}

function show(report) {
  S.report = report;
  renderResults(report);
  const next = nextFact(report);
  if (!next) {
    const form = $('question');
    form.replaceChildren(el('p', {}, '问询结束：所选结论已确定，或所缺事实均为“不清楚”。'));
    form.dataset.done = 'true';
    delete form.dataset.fact;
    $('status').textContent = `问询结束，已回答 ${S.answers.length} 个问题。`;
    $('question-section').focus();
    return;
  }
  renderQuestion(next[0], next[1], report);
}

async function step() {
  showError([]);
  $('question-section').hidden = false;
  if (getFact(S.caseData, 'as_of') === undefined) {
    renderQuestion('as_of', 0, { outcomes: {} });
    return;
  }
  const res = await evaluate();
  if (res.errors) {
    showError(res.errors);
    return;
  }
  show(res.report);
}

function chooseOutcomes() {
  const boxes = [...document.querySelectorAll('#outcome-list input[type=checkbox]')];
  S.chosen = boxes.filter((b) => b.checked).map((b) => b.value);
  // The list folds away once the interview starts; it opens again to change.
  const n = S.chosen.length;
  $('choose-summary').textContent = n === boxes.length ? `结论：全部 ${n} 项（展开可更改）` : `结论：已选 ${n} 项（展开可更改）`;
  if (n > 0) $('choose').open = false;
}

async function init() {
  const r = await fetch('/v1/policies');
  const p = await r.json();
  S.policies = p;
  p.facts.forEach((f, i) => { S.facts.set(f.name, f); S.order.set(f.name, i); });
  p.outcomes.forEach((o) => S.outcomes.set(o.name, o));
  p.rules.forEach((x) => S.rules.set(x.name, x));
  $('doc').textContent = p.documents.map((d) => d.id).join('、');
  const list = $('outcome-list');
  p.outcomes.forEach((o, i) => {
    list.append(el('label', { for: `o-${i}` },
      el('input', { type: 'checkbox', id: `o-${i}`, value: o.name, checked: true }),
      ` ${o.label} `, el('span', { class: 'name' }, o.name)));
  });
  $('all').addEventListener('change', (e) => {
    for (const b of list.querySelectorAll('input[type=checkbox]')) b.checked = e.target.checked;
  });
  list.addEventListener('change', () => {
    const boxes = [...list.querySelectorAll('input[type=checkbox]')];
    $('all').checked = boxes.every((b) => b.checked);
  });
  $('setup-form').addEventListener('submit', (e) => {
    e.preventDefault();
    chooseOutcomes();
    if (S.chosen.length === 0) {
      $('question-section').hidden = false;
      showError(['请至少选择一项结论']);
      return;
    }
    step();
  });
  $('question').addEventListener('submit', (e) => {
    e.preventDefault();
    const fact = e.target.dataset.fact;
    if (!fact) return;
    const a = readAnswer(e.target);
    if (a.error) {
      showError([a.error]);
      return;
    }
    answer(fact, a.value);
  });
  $('download').addEventListener('click', () => {
    const blob = new Blob([JSON.stringify(S.caseData, null, 2) + '\n'], { type: 'application/json' });
    const a = el('a', { href: URL.createObjectURL(blob), download: 'case.json' });
    document.body.append(a);
    a.click();
    a.remove();
  });
  $('upload').addEventListener('change', async (e) => {
    const file = e.target.files && e.target.files[0];
    if (!file) return;
    let data;
    try {
      data = JSON.parse(await file.text());
    } catch (err) {
      $('question-section').hidden = false;
      showError([`${file.name} 不是 JSON：${err.message}`]);
      return;
    }
    if (data === null || typeof data !== 'object' || Array.isArray(data)) {
      $('question-section').hidden = false;
      showError([`${file.name} 不是一个案件（应为 JSON 对象）`]);
      return;
    }
    S.caseData = data;
    S.skipped.clear();
    S.answers = [];
    chooseOutcomes();
    if (S.chosen.length === 0) S.chosen = p.outcomes.map((o) => o.name);
    step();
  });
}

init().catch((e) => showError([`无法读取政策：${e.message}`]));
