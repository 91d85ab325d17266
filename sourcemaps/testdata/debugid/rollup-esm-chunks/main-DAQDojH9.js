function add(a, b) { return a + b; }
function greet(name) { return "hello " + name; }

console.log(greet("world"), add(1, 2));
const later = () => import('./lazy-tOUsPL8h.js').then((m) => m.run());

export { add as a, later as l };
//# sourceMappingURL=main-DAQDojH9.js.map
