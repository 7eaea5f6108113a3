import { webPage } from '../../copy/messages.js';

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The local web chat: one small, dependency-free page. Replies are rendered as text nodes, never as HTML. */
export function renderChatPage(): string {
  const t = webPage;
  return `<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(t.title)}</title>
<style>
body{margin:0;font:16px/1.45 system-ui,sans-serif;background:#f4f1ea;color:#1d1d1d;display:flex;flex-direction:column;height:100vh}
header{background:#b71c1c;color:#fff;padding:12px 16px}header h1{margin:0;font-size:18px}header p{margin:4px 0 0;font-size:13px;opacity:.9}
#log{flex:1;overflow-y:auto;padding:12px}
.msg{max-width:85%;margin:6px 0;padding:8px 12px;border-radius:12px;white-space:pre-wrap;word-wrap:break-word}
.me{margin-left:auto;background:#ffe9a8}.bot{background:#fff;box-shadow:0 1px 2px #0002}
.src{font-size:13px;margin-top:6px}.src a{color:#b71c1c}
.btns{display:flex;flex-wrap:wrap;gap:6px;margin:6px 0}.btns button{border:1px solid #b71c1c;background:#fff;color:#b71c1c;border-radius:16px;padding:6px 10px;font-size:14px;cursor:pointer}
form{display:flex;gap:8px;padding:10px;background:#fff;border-top:1px solid #ddd}
input{flex:1;font-size:16px;padding:10px;border:1px solid #ccc;border-radius:8px}
form button{background:#b71c1c;color:#fff;border:0;border-radius:8px;padding:0 16px;font-size:16px}
</style></head><body>
<header><h1>${escapeHtml(t.heading)}</h1><p>${escapeHtml(t.intro)}</p></header>
<main id="log" aria-live="polite"></main>
<form id="f"><input id="q" autocomplete="off" maxlength="4000" placeholder="${escapeHtml(t.placeholder)}" aria-label="${escapeHtml(t.placeholder)}"><button>${escapeHtml(t.send)}</button></form>
<script>
const T=${JSON.stringify({ sources: t.sources, error: t.error })};
const log=document.getElementById('log'),f=document.getElementById('f'),q=document.getElementById('q');
const sessionId=(sessionStorage.getItem('sid')||(crypto.randomUUID?crypto.randomUUID():String(Math.random()).slice(2)));sessionStorage.setItem('sid',sessionId);
function add(cls,text){const d=document.createElement('div');d.className='msg '+cls;d.textContent=text;log.appendChild(d);log.scrollTop=log.scrollHeight;return d}
function buttons(list,onClick){const b=document.createElement('div');b.className='btns';for(const x of list){const e=document.createElement('button');e.type='button';e.textContent=x.label;e.onclick=()=>onClick(x);b.appendChild(e)}log.appendChild(b);log.scrollTop=log.scrollHeight}
async function ask(text,data,quiet){if(!quiet)add('me',text);try{const r=await fetch('/api/chat',{method:'POST',headers:{'content-type':'application/json'},body:JSON.stringify(data?{sessionId,data}:{sessionId,text})});if(!r.ok)throw new Error(r.status);const body=await r.json();
for(const m of body.replies){const d=add('bot',m.text);if(m.links&&m.links.length){const s=document.createElement('div');s.className='src';s.append(T.sources+': ');m.links.forEach((l,i)=>{const a=document.createElement('a');a.href=l.url;a.textContent=l.title;a.target='_blank';a.rel='noopener';if(i)s.append(' · ');s.append(a)});d.appendChild(s)}
if(m.buttons&&m.buttons.length)buttons(m.buttons,x=>ask(x.label,x.data))}}catch(e){add('bot',T.error)}}
f.onsubmit=e=>{e.preventDefault();const v=q.value.trim();if(!v)return;q.value='';ask(v)};
ask('/start',null,true);
</script></body></html>`;
}
