from erp.common.station import station_view

station = station_view("packing")
