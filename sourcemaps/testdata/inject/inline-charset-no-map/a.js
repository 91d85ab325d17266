foo();
!function(){try{var e="undefined"!=typeof window?window:"undefined"!=typeof global?global:"undefined"!=typeof globalThis?globalThis:"undefined"!=typeof self?self:{},n=(new e.Error).stack;n&&(e._sentryDebugIds=e._sentryDebugIds||{},e._sentryDebugIds[n]="8dafd139-d4f0-5681-ac19-a3419b7d26d2")}catch(e){}}();
//# sourceMappingURL=data:application/json;charset=utf-8;base64,eyJ2ZXJzaW9uIjozLCJzb3VyY2VzIjpbImEuanMiXSwic291cmNlc0NvbnRlbnQiOlsieFxueFxueFxueFxueFxueFxueFxueFxueFxueFxueFxueFxueFxueFxueFxueFxueFxueFxueFxueFxueFxueFxueFxueFxueFxueFxueFxueFxueFxueFxueFxueFxueFxueFxueFxueFxueFxueFxueFxueFxueFxueFxueFxueFxueFxueFxueFxueFxueFxueFxuIl0sIm5hbWVzIjpbIm4iLCJtIl0sIm1hcHBpbmdzIjoiQUFBQSJ9
//# debugId=8dafd139-d4f0-5681-ac19-a3419b7d26d2
