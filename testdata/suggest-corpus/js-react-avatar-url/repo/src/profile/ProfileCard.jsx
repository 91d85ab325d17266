import React from 'react';
import PropTypes from 'prop-types';
import { useProfile } from './useProfile';
import { Badge } from '../ui/Badge';
import './ProfileCard.css';

function initials(name) {
  return name
    .split(' ')
    .map((part) => part[0])
    .join('')
    .toUpperCase();
}

export default function ProfileCard({ userId, compact }) {
  const { user, loading } = useProfile(userId);

  if (loading) {
    return <div className="profile-card profile-card--loading" />;
  }

  return (
    <div className={compact ? 'profile-card compact' : 'profile-card'}>
      <div className="profile-card__media">
        <img className="avatar" src={user.avatar.url} alt={user.name} />
        <span className="profile-card__initials">{initials(user.name)}</span>
      </div>
      <div className="profile-card__body">
        <h3>{user.name}</h3>
        {user.role && <Badge tone="info">{user.role}</Badge>}
        <p className="profile-card__bio">{user.bio}</p>
      </div>
    </div>
  );
}

ProfileCard.propTypes = {
  userId: PropTypes.string.isRequired,
  compact: PropTypes.bool,
};
