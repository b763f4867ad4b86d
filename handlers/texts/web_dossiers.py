"""Staff web console: dossier states, looking a dossier up and importing a file (bot/web/dossiers.py)."""

from __future__ import annotations

WEB_NAV_DOSSIERS = "Hồ sơ"

# ---------------------------------------------------------------- the list and the search
WEB_DS_TITLE = "Tình trạng hồ sơ"
WEB_DS_LEAD = (
    "Tình trạng hồ sơ do hệ thống một cửa của tỉnh gửi sang (API) hoặc do cán bộ nhập từ tệp. "
    "Người dân tra cứu bằng mã hồ sơ; người bấm «Theo dõi» được nhắn mỗi khi có tình trạng mới."
)
WEB_DS_SEARCH = "Tìm theo mã hồ sơ"
WEB_DS_SEARCH_HINT = "Ví dụ: 000.00.17.H31-260105-0001, hoặc một phần của mã"
WEB_DS_FIND = "Tìm"
WEB_DS_CLEAR = "Bỏ tìm"
WEB_DS_RECENT = "Hồ sơ cập nhật gần đây (tối đa {n})"
WEB_DS_FOUND = "Hồ sơ có mã chứa «{q}» (tối đa {n})"
WEB_DS_EMPTY = "Chưa có hồ sơ nào."
WEB_DS_NONE_FOUND = "Không có hồ sơ nào có mã chứa «{q}»."
WEB_DS_CODE = "Mã hồ sơ"
WEB_DS_PROCEDURE = "Thủ tục"
WEB_DS_STATE = "Tình trạng"
WEB_DS_STATE_AT = "Cập nhật"
WEB_DS_DUE = "Hạn trả kết quả"

# ---------------------------------------------------------------- one dossier
WEB_DS_BACK = "Danh sách hồ sơ"
WEB_DS_NOTE = "Ghi chú của cơ quan"
WEB_DS_FOLLOWERS = "Người đang theo dõi"
WEB_DS_PHONE = "Đối chiếu chủ hồ sơ"
WEB_DS_PHONE_YES = "Có (4 số cuối điện thoại)"
WEB_DS_PHONE_NO = "Không có số điện thoại: người dân chỉ xem được tình trạng"
WEB_DS_CHECK_LOCKED = "Việc xác nhận chủ hồ sơ đang tạm khóa đến {until} vì có nhiều lần nhập sai."
WEB_DS_EVENTS = "Các lần cập nhật gần nhất (tối đa {n})"
WEB_DS_EVENT_AT = "Thời điểm"
WEB_DS_EVENT_SOURCE = "Nguồn"
WEB_DS_EVENT_ID = "Mã sự kiện"
WEB_DS_SOURCE = {"api": "Hệ thống một cửa (API)", "import": "Nhập từ tệp"}

# ---------------------------------------------------------------- importing a file
WEB_DS_IMPORT = "Nhập tình trạng hồ sơ từ tệp"
WEB_DS_IMPORT_HINT = (
    "Tệp CSV (UTF-8) hoặc XLSX, tối đa {mb} MB, dòng đầu là tên cột như API: {columns}. "
    "Mọi dòng được kiểm tra trước; chỉ cần một dòng sai thì không dòng nào được nhập."
)
WEB_DS_FILE = "Tệp"
WEB_DS_IMPORT_BUTTON = "Kiểm tra và nhập"
WEB_DS_NO_FILE = "Xin chọn một tệp CSV hoặc XLSX để nhập."
WEB_DS_TOO_LARGE = "Tệp lớn hơn {mb} MB. Xin chia tệp thành nhiều phần rồi nhập từng phần."
WEB_DS_WRONG_TYPE = "Chỉ nhận tệp .csv (UTF-8) hoặc .xlsx."
WEB_DS_UNREADABLE = "Không đọc được tệp, nên không có gì được nhập: {reason}"
WEB_DS_BAD_ROWS = "Không có gì được nhập: {n} dòng có lỗi. Xin sửa các dòng dưới đây rồi nhập lại cả tệp."
WEB_DS_ROW = "Dòng"
WEB_DS_FIELD = "Cột"
WEB_DS_REASON = "Lý do"
WEB_DS_IMPORTED = (
    "Đã nhập {events} cập nhật ({duplicates} đã có từ trước): {created} hồ sơ mới, "
    "{changed} hồ sơ đổi tình trạng, {notified} tin báo cho người theo dõi đã xếp hàng gửi."
)
