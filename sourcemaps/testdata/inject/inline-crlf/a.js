"use strict";
!function(){try{var e="undefined"!=typeof window?window:"undefined"!=typeof global?global:"undefined"!=typeof globalThis?globalThis:"undefined"!=typeof self?self:{},n=(new e.Error).stack;n&&(e._sentryDebugIds=e._sentryDebugIds||{},e._sentryDebugIds[n]="d0e13184-e6bc-51ff-8a98-8b67fda5edfa")}catch(e){}}();

foo();
//# sourceMappingURL=data:application/json;base64,eyJ2ZXJzaW9uIjozLCJzb3VyY2VzIjpbImEuanMiXSwic291cmNlc0NvbnRlbnQiOlsieFxueFxueFxueFxueFxueFxueFxueFxueFxueFxueFxueFxueFxueFxueFxueFxueFxueFxueFxueFxueFxueFxueFxueFxueFxueFxueFxueFxueFxueFxueFxueFxueFxueFxueFxueFxueFxueFxueFxueFxueFxueFxueFxueFxueFxueFxueFxueFxueFxueFxuIl0sIm5hbWVzIjpbIm4iLCJtIl0sIm1hcHBpbmdzIjoiQUFBQTs7QUFBQztBQUNEIiwiZGVidWdJZCI6ImQwZTEzMTg0LWU2YmMtNTFmZi04YTk4LThiNjdmZGE1ZWRmYSJ9

//# debugId=d0e13184-e6bc-51ff-8a98-8b67fda5edfa
