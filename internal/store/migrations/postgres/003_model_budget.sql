-- The model suggester's daily budget (issue 17): requests spent per budget and UTC day,
-- shared by every process of the service. One conditional upsert takes a request, so racing
-- workers never spend more than the budget.

CREATE TABLE releasegate_budget (
    name TEXT    NOT NULL,
    day  TEXT    NOT NULL,
    used INTEGER NOT NULL,
    PRIMARY KEY (name, day)
);
