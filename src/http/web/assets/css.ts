// Mobile first (a 360 px wide phone), then wider screens. Colours are chosen for ≥ 4.5:1 contrast on
// their backgrounds; every control is at least 44 px tall for a thumb; focus is always visible.
export const css = `
*,*::before,*::after{box-sizing:border-box}
[hidden]{display:none!important}
html{-webkit-text-size-adjust:100%}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","DejaVu Sans",sans-serif;color:#1a1a1a;background:#f6f7f9;overflow-wrap:anywhere}
a{color:#0b4f8a}
a:hover{color:#083a66}
:focus-visible{outline:3px solid #a04000;outline-offset:2px}
.skip{position:absolute;left:-9999px;top:0;background:#fff;padding:12px}
.skip:focus{left:8px;z-index:10}
.top{display:flex;align-items:center;justify-content:space-between;gap:8px;background:#0b4f8a;color:#fff;padding:4px 12px}
.top a,.top button.link{color:#fff}
.brand{font-weight:700;font-size:1.25rem;text-decoration:none;display:inline-flex;align-items:center;min-height:44px}
.top-actions{display:flex;align-items:center;gap:4px}
.top-actions a,.top-actions button{display:inline-flex;align-items:center;min-height:44px;padding:0 8px}
.who{margin:0;padding:6px 12px;background:#e7eef6;font-size:.9rem}
.switcher{display:flex;flex-wrap:wrap;align-items:center;gap:6px;margin:0;padding:4px 12px 8px;background:#e7eef6}
.switcher label{display:inline;margin:0}
.switcher select{display:inline-block;width:auto;min-width:12rem;max-width:100%;min-height:44px}
.nav{list-style:none;margin:0;padding:4px 8px;display:flex;flex-wrap:wrap;gap:4px;background:#fff;border-bottom:1px solid #d0d7de}
.nav a{display:inline-flex;align-items:center;min-height:44px;padding:0 10px;border-radius:6px;text-decoration:none;font-weight:600}
.nav a[aria-current=page]{background:#0b4f8a;color:#fff}
main{padding:12px;max-width:1100px;margin:0 auto}
main:focus{outline:none}
h1{font-size:1.5rem;margin:.5rem 0 1rem}
h2{font-size:1.2rem;margin:1.5rem 0 .5rem}
h3{font-size:1.05rem;margin:1rem 0 .5rem}
section,.card{background:#fff;border:1px solid #d0d7de;border-radius:8px;padding:12px;margin:0 0 12px}
section>h2:first-child{margin-top:0}
.field{margin:0 0 14px;border:0;padding:0;min-width:0}
label,legend{display:block;font-weight:600;margin:0 0 4px}
input[type=text],input[type=url],input[type=password],input[type=date],input[type=time],input[type=number],input[type=file],select,textarea{display:block;width:100%;min-height:44px;padding:8px 10px;font:inherit;color:inherit;background:#fff;border:1px solid #6b7280;border-radius:6px}
input[type=file]{padding:6px}
textarea{min-height:120px}
.choices .choice{display:flex;align-items:center;gap:10px;min-height:44px;font-weight:400;margin:0}
.choices input{width:22px;height:22px;margin:0;flex:none}
.has-error input,.has-error select,.has-error textarea{border:2px solid #b42318}
.field-error{color:#b42318;font-weight:600;margin:4px 0 0}
.field-error::before{content:"⚠ "}
.hint{color:#4b5563;margin:2px 0 4px;font-size:.9rem}
button,.button{display:inline-flex;align-items:center;justify-content:center;gap:6px;min-height:44px;min-width:44px;padding:8px 16px;font:inherit;font-weight:600;border-radius:6px;border:1px solid #0b4f8a;background:#0b4f8a;color:#fff;cursor:pointer;text-decoration:none}
button:hover,.button:hover{background:#083a66;color:#fff}
button.secondary,.button.secondary{background:#fff;color:#0b4f8a}
button.secondary:hover{background:#e7eef6;color:#083a66}
button.danger,.button.danger{background:#b42318;border-color:#b42318;color:#fff}
button.danger:hover,.button.danger:hover{background:#8a1c12}
button.link{background:none;border:0;padding:0 8px;text-decoration:underline;font-weight:400}
button[disabled]{opacity:.6;cursor:not-allowed}
.inline{display:inline}
.actions{display:flex;flex-wrap:wrap;gap:8px;align-items:center;margin:8px 0}
.notice{background:#e6f4ea;color:#0f5132;border:1px solid #8cc9a0;border-radius:6px;padding:10px 12px}
.form-error{background:#fde8e8;color:#8a1c1c;border:1px solid #e3a3a3;border-radius:6px;padding:10px 12px;margin:0 0 12px}
.form-error p{margin:0;font-weight:600}
.badge{display:inline-block;padding:2px 8px;border-radius:999px;font-size:.9rem;font-weight:600;white-space:nowrap}
.badge.ok{background:#e6f4ea;color:#0f5132}
.badge.warn{background:#fff4d6;color:#6b4500}
.badge.bad{background:#fde8e8;color:#8a1c1c}
.badge.info{background:#e7f0fb;color:#0b3d73}
.badge.muted{background:#eceff3;color:#3f4650}
.list{list-style:none;margin:0;padding:0}
.list>li{border-top:1px solid #e5e7eb;padding:10px 0}
.list>li:first-child{border-top:0}
.meta{color:#4b5563;font-size:.9rem}
.table-wrap{overflow-x:auto;max-width:100%}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:8px 6px;border-bottom:1px solid #e5e7eb;vertical-align:top}
th{font-size:.9rem;color:#374151}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.waveform{display:block;width:100%;height:64px;background:#f0f4f8;border-radius:6px}
audio{width:100%;margin:8px 0}
progress{width:100%;height:20px}
.facts{margin:8px 0}
.facts dt{font-weight:600;margin-top:6px}
.facts dd{margin:0;min-width:0}
.week{display:grid;grid-template-columns:1fr;gap:8px}
.day h3{margin:0 0 6px}
.day.today{border-color:#0b4f8a;border-width:2px}
.slot{margin:6px 0;padding:6px 8px;background:#f6f7f9;border-radius:6px}
.slot h4{margin:0 0 4px;font-size:.95rem}
.item{display:flex;flex-wrap:wrap;gap:6px;align-items:center;justify-content:space-between;padding:4px 0}
.chart{display:block;width:100%;max-width:720px;height:auto}
.qr{display:block;width:100%;max-width:280px;height:auto;background:#fff}
.token{font-family:ui-monospace,"DejaVu Sans Mono",monospace;background:#f6f7f9;border:1px dashed #6b7280;padding:8px;display:block;word-break:break-all}
.recorder{border:1px dashed #6b7280;border-radius:8px;padding:8px;margin:0 0 14px}
.warning{background:#fff4d6;color:#6b4500;border:1px solid #e0c36c;border-radius:6px;padding:10px 12px}
.sr-only{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%);white-space:nowrap}
.hint.over{color:#b42318;font-weight:600}
.typed-text{white-space:pre-wrap;background:#f6f7f9;border-left:4px solid #6b7280;border-radius:4px;margin:8px 0;padding:8px 12px;max-height:16em;overflow-y:auto}
.version{border-top:1px solid #e5e7eb;padding:8px 0 0;margin:8px 0 0}
.version h3{margin:0 0 4px;font-size:1rem}
.player{display:flex;flex-wrap:wrap;align-items:center;gap:0 8px}
.player audio{flex:1 1 220px}
details.tech{margin:8px 0}
details.tech summary{min-height:44px;padding:10px 0;cursor:pointer;font-weight:600;color:#0b4f8a}
.hash{display:block;font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:.8rem;word-break:break-all;color:#374151}
.reach-count{font-size:1.25rem;font-weight:700;margin:4px 0 12px}
td.time{white-space:nowrap;font-variant-numeric:tabular-nums}
.span-time{display:inline-block;min-width:7.5em;font-variant-numeric:tabular-nums}
/* The schedule: each slot with its own "+ Thêm", the item just saved, airings not materialised yet. */
.slot-foot{display:flex;flex-wrap:wrap;align-items:center;justify-content:space-between;gap:4px 8px}
.slot-foot .meta{margin:0}
.slot-foot .add{margin-left:auto}
.button.add{padding:4px 12px}
.item .series{display:block;font-size:.9rem;color:#4b5563}
.item.projected{border-left:3px dashed #6b7280;padding-left:8px}
.item.fresh{background:#fff4d6;box-shadow:0 0 0 3px #a04000;border-radius:6px;padding:6px 8px;margin:8px 0}
.item:focus{outline:3px solid #a04000;outline-offset:2px}
details.cancel[open]{flex-basis:100%}
details.cancel>summary,details.past-days>summary{display:flex;align-items:center;min-height:44px;cursor:pointer;font-weight:600;color:#0b4f8a}
details.cancel>summary{display:inline-flex;padding:0 8px}
details.cancel>summary::after,details.past-days>summary::after{content:"▾";margin-left:6px}
details.cancel[open]>summary::after,details.past-days[open]>summary::after{content:"▴"}
details.cancel form{margin:4px 0 8px}
details.past-days{grid-column:1/-1;background:#fff;border:1px solid #d0d7de;border-radius:8px;padding:0 12px;margin:0}
details.past-days[open]{padding-bottom:12px}
.suggestion{margin:8px 0 0}
/* Narrow screens: each table row becomes a small card, every cell labelled by its column. */
@media (max-width:599px){
  table.stack thead{position:absolute;left:-9999px}
  table.stack tr{display:flex;flex-wrap:wrap;gap:2px 14px;border-bottom:1px solid #d0d7de;padding:6px 0}
  table.stack th{flex:1 0 100%}
  table.stack th,table.stack td{display:block;border:0;padding:2px 0;text-align:left}
  table.stack td[data-label]::before{content:attr(data-label) ": ";font-weight:600;color:#374151}
}
@media (min-width:480px){
  .facts{display:grid;grid-template-columns:minmax(0,max-content) minmax(0,1fr);gap:4px 12px}
  .facts dt{margin:0;max-width:16em}
}
@media (min-width:720px){
  main{padding:20px}
  .week{grid-template-columns:repeat(auto-fill,minmax(200px,1fr))}
  .two{display:grid;grid-template-columns:1fr 1fr;gap:12px}
}
`;
