import React from 'react';
import PropTypes from 'prop-types';
import { Row } from './Row';
import { EmptyState } from '../ui/EmptyState';

export function ReportList({ data, loading }) {
  if (loading) {
    return <p className="muted">Loading…</p>;
  }
  if (!data || data.length === 0) {
    return <EmptyState title="No reports yet" />;
  }
  return (
    <table className="report-list">
      <tbody>
        {data.map((row) => <Row key={row.id} row={row} />)}
      </tbody>
    </table>
  );
}

ReportList.propTypes = {
  data: PropTypes.array,
  loading: PropTypes.bool,
};
