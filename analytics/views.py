from erp.common.office import office_home_view

home = office_home_view("analytics", "office/home.html")
