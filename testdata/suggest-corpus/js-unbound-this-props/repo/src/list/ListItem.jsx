import React, { Component } from 'react';
import PropTypes from 'prop-types';

export class ListItem extends Component {
  constructor(props) {
    super(props);
    this.state = { hover: false };
  }

  handleClick() {
    const id = this.props.item.id;
    this.props.onOpen(id);
  }

  render() {
    const { item } = this.props;
    return (
      <li
        className={this.state.hover ? 'list-item hover' : 'list-item'}
        onClick={this.handleClick}
        onMouseEnter={() => this.setState({ hover: true })}
        onMouseLeave={() => this.setState({ hover: false })}
      >
        {item.title}
      </li>
    );
  }
}

ListItem.propTypes = {
  item: PropTypes.object.isRequired,
  onOpen: PropTypes.func.isRequired,
};
