"use strict";
var a=1;console.log(a);
//# sourceMappingURL=s.js.map
