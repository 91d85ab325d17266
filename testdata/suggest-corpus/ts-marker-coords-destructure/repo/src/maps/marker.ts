import { LatLng, Marker } from "./leaflet";
import { Place } from "../places/types";

const DEFAULT_ZOOM = 14;

export interface PlacedMarker {
  id: string;
  marker: Marker;
}

export function markerFor(place: Place): PlacedMarker {
  const [lat, lng] = place.coords;
  const marker = new Marker(new LatLng(lat, lng), { title: place.name });
  return { id: place.id, marker };
}

export function zoomFor(places: Place[]): number {
  return places.length > 1 ? DEFAULT_ZOOM - 2 : DEFAULT_ZOOM;
}
