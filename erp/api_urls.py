from django.urls import path

from accounts.api import MeApi, TokenObtainApi, TokenRefreshApi
from cutting.api import CutOutputApi
from cutting.bundle_api import BundleDetailApi, CutBundlesApi
from dashboard import api as alerts
from embroidery.api import EmbroideryOutputApi
from finishing import api as finishing
from packing import api as packing
from ppic import api as ppic
from quality.api import (
    AqlPlanApi,
    ArticleComplianceApi,
    FinalInspectionCreateApi,
    InspectionCreateApi,
    LabTestCreateApi,
)
from quality.quarantine_api import QuarantineListApi, QuarantineReleaseApi
from sewing.api import SewingStageApi
from sewing.needle_api import BrokenNeedleListCreateApi, NeedleExchangeApi, NeedleSearchApi
from transfers import api as transfers
from warehouse import api as warehouse
from warehouse import shipping_api as shipping

urlpatterns = [
    path("auth/token/", TokenObtainApi.as_view(), name="token"),
    path("auth/token/refresh/", TokenRefreshApi.as_view(), name="token-refresh"),
    path("auth/me/", MeApi.as_view(), name="me"),
    path("departments/", transfers.DepartmentListApi.as_view(), name="department-list"),
    # master data
    path("materials/", ppic.MaterialListCreateApi.as_view(), name="material-list"),
    path("articles/", ppic.ArticleListCreateApi.as_view(), name="article-list"),
    path("articles/<str:code>/", ppic.ArticleDetailApi.as_view(), name="article-detail"),
    path(
        "articles/<str:code>/compliance/",
        ArticleComplianceApi.as_view(),
        name="article-compliance",
    ),
    path("destinations/", ppic.DestinationListCreateApi.as_view(), name="destination-list"),
    path("vendors/", ppic.VendorListCreateApi.as_view(), name="vendor-list"),
    # planning
    path("manufacturing-orders/", ppic.MOListCreateApi.as_view(), name="mo-list"),
    path("manufacturing-orders/<int:pk>/", ppic.MODetailApi.as_view(), name="mo-detail"),
    path("manufacturing-orders/<int:pk>/release/", ppic.MOReleaseApi.as_view(), name="mo-release"),
    path("manufacturing-orders/<int:pk>/cancel/", ppic.MOCancelApi.as_view(), name="mo-cancel"),
    path("batches/<str:number>/", ppic.BatchDetailApi.as_view(), name="batch-detail"),
    path("batches/<str:number>/trace/", ppic.BatchTraceApi.as_view(), name="batch-trace"),
    # warehouse
    path("stock/receipts/", warehouse.ReceiptApi.as_view(), name="stock-receipt"),
    path("stock/lots/", warehouse.LotListApi.as_view(), name="stock-lots"),
    path("stock/moves/", warehouse.StockMoveListApi.as_view(), name="stock-moves"),
    path("work-orders/", warehouse.WorkOrderListApi.as_view(), name="work-order-list"),
    path(
        "work-orders/<str:number>/",
        warehouse.WorkOrderDetailApi.as_view(),
        name="work-order-detail",
    ),
    path(
        "work-orders/<str:number>/issue-material/",
        warehouse.IssueMaterialApi.as_view(),
        name="issue-material",
    ),
    path("shortage-requests/", warehouse.ShortageListCreateApi.as_view(), name="shortage-list"),
    path(
        "shortage-requests/<int:pk>/approve/",
        warehouse.ShortageDecideApi.as_view(),
        name="shortage-approve",
    ),
    path(
        "shortage-requests/<int:pk>/refuse/",
        warehouse.ShortageRefuseApi.as_view(),
        name="shortage-refuse",
    ),
    # production records
    path("cutting/outputs/", CutOutputApi.as_view(), name="cutting-output"),
    path("embroidery/outputs/", EmbroideryOutputApi.as_view(), name="embroidery-output"),
    path("cutting/outputs/<int:pk>/bundles/", CutBundlesApi.as_view(), name="cutting-bundles"),
    path("bundles/<str:code>/", BundleDetailApi.as_view(), name="bundle-detail"),
    path("sewing/stages/", SewingStageApi.as_view(), name="sewing-stage"),
    path("needles/exchanges/", NeedleExchangeApi.as_view(), name="needle-exchange"),
    path("needles/broken/", BrokenNeedleListCreateApi.as_view(), name="broken-needle-list"),
    path("needles/broken/<int:pk>/search/", NeedleSearchApi.as_view(), name="broken-needle-search"),
    path("inspections/", InspectionCreateApi.as_view(), name="inspection-create"),
    path("finishing/stuffing/", finishing.StuffingApi.as_view(), name="finishing-stuffing"),
    path("finishing/fg/", finishing.FgApi.as_view(), name="finishing-fg"),
    path("finishing/detectors/", finishing.DetectorListApi.as_view(), name="detector-list"),
    path("finishing/detector-checks/", finishing.DetectorCheckApi.as_view(), name="detector-check"),
    path("finishing/detector-scans/", finishing.DetectorScanApi.as_view(), name="detector-scan"),
    path("quarantines/", QuarantineListApi.as_view(), name="quarantine-list"),
    path(
        "quarantines/<int:pk>/release/", QuarantineReleaseApi.as_view(), name="quarantine-release"
    ),
    path("packing/cartons/", packing.CartonListCreateApi.as_view(), name="carton-list"),
    path(
        "packing/batches/<str:number>/complete/",
        packing.PackingCompleteApi.as_view(),
        name="packing-complete",
    ),
    path("shipments/", shipping.ShipmentListCreateApi.as_view(), name="shipment-list"),
    path("shipments/<int:pk>/", shipping.ShipmentDetailApi.as_view(), name="shipment-detail"),
    path(
        "shipments/<int:pk>/tracking/", shipping.ShipmentTrackApi.as_view(), name="shipment-track"
    ),
    path("aql/plan/", AqlPlanApi.as_view(), name="aql-plan"),
    path("lab-tests/", LabTestCreateApi.as_view(), name="lab-test"),
    path("final-inspections/", FinalInspectionCreateApi.as_view(), name="final-inspection"),
    # QT-09 transfers and WIP
    path("transfers/", transfers.TransferListCreateApi.as_view(), name="transfer-list"),
    path("transfers/accept/", transfers.TransferAcceptApi.as_view(), name="transfer-accept"),
    path("transfers/<int:pk>/", transfers.TransferDetailApi.as_view(), name="transfer-detail"),
    path(
        "transfers/<int:pk>/approve/",
        transfers.TransferApproveApi.as_view(),
        name="transfer-approve",
    ),
    path(
        "transfers/<int:pk>/reject/", transfers.TransferRejectApi.as_view(), name="transfer-reject"
    ),
    path(
        "transfers/<int:pk>/cancel/", transfers.TransferCancelApi.as_view(), name="transfer-cancel"
    ),
    path("transfers/<int:pk>/retry/", transfers.TransferRetryApi.as_view(), name="transfer-retry"),
    path("transfers/<int:pk>/slip/", transfers.TransferSlipApi.as_view(), name="transfer-slip"),
    path("wip/", transfers.WipListApi.as_view(), name="wip-list"),
    path("subcon/", transfers.SubconListApi.as_view(), name="subcon-list"),
    path(
        "lines/<str:code>/clearance/", transfers.LineClearanceApi.as_view(), name="line-clearance"
    ),
    # alerts
    path("alerts/", alerts.AlertListApi.as_view(), name="alert-list"),
    path("alerts/<int:pk>/acknowledge/", alerts.AlertAcknowledgeApi.as_view(), name="alert-ack"),
    path("alerts/<int:pk>/resolve/", alerts.AlertResolveApi.as_view(), name="alert-resolve"),
    path("dashboard/summary/", alerts.DashboardSummaryApi.as_view(), name="dashboard-summary"),
]
