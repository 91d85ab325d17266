(function () {
	'use strict';

	function greet(name) { return "hello " + name; }

	console.log(greet("other"));

})();
//# sourceMappingURL=other.js.map
