import React from "react";
import Message from "./Message";

export default class Inbox extends React.Component {
  constructor(props) {
    super(props);
    this.state = { loading: true };
  }

  componentDidMount() {
    this.props.api.messages().then((items) => this.setState({ items, loading: false }));
  }

  render() {
    return (
      <ul className="inbox">
        {this.state.items.map((m) => <Message key={m.id} message={m} />)}
      </ul>
    );
  }
}
