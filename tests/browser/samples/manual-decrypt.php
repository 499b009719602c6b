$headers = array(); 
array_push($headers, "content-type: application/json; charset=utf-8");
array_push($headers, "ApiKey: COOKIEPAY에서 발급받은 연동키");

$cookiepay_api_url = "{요청도메인}/EdiAuth/cookiepay_edi_decrypt";

$edi_date = date('YmdHis');
$request_data_array = array(
    'API_ID' => 'cookiepayments에서 발급받은 ID', // 쿠키페이 결제 연동 id
    'ENC_DATA' => '암호화된 응답값',
);

$cookiepay_api_json = json_encode($request_data_array, TRUE);

$ch = curl_init(); // curl 초기화

curl_setopt($ch,CURLOPT_URL, $cookiepay_api_url);
curl_setopt($ch,CURLOPT_POST, false);
curl_setopt($ch,CURLOPT_POSTFIELDS, $cookiepay_api_json);
curl_setopt($ch,CURLOPT_RETURNTRANSFER, true);
curl_setopt($ch,CURLOPT_CONNECTTIMEOUT ,3);
curl_setopt($ch,CURLOPT_TIMEOUT, 20);
curl_setopt($ch,CURLOPT_HTTPHEADER, $headers);
$response = curl_exec($ch); // 응답값을 $response 변수 넣는다.
curl_close($ch);

$result_array = json_decode($response, true);
$params_decode = $result_array['decryptData'];

if( !empty($params_decode['ACCEPT_NO']) && !empty($params_decode['TID']) && !empty($params_decode['ORDERNO']) ) {

    /*
    [API_ID] => xxxxxxx
    [ORDERNO] => 20230206020000000
    [AMOUNT] => 100
    [TID] => CEH11111111111111111
    [USERID] => guest
    [BUYERNAME] => test
    [BUYEREMAIL] => 
    [PRODUCTCODE] => test
    [PRODUCTNAME] => test
    [ACCEPT_DATE] => 20230206110242
    [ACCEPT_NO] => 11111111
    [CARDCODE] => CCBC
    [CARDNAME] => 케이뱅크체크
    [CARDNO] => **********002163
    [QUOTA] => 00
    [ETC1] => 사용자 추가 필드1
    [ETC2] => 사용자 추가 필드2
    [ETC3] => 사용자 추가 필드3
    [ETC4] => 사용자 추가 필드4
    [ETC5] => 사용자 추가 필드5
    [BILLKEY] => k0a04cjfiysqtfcg2hfe
    [GENDATE] => 20240910152739
    */

    /* 전달받은 결제정보로 결제완료 처리 예제코드 */
    $SQL = "UPDATE '결제테이블' set ";
    $SQL .= "ACCEPT_DATE    = '".$params_decode['ACCEPT_DATE']."', ";
    $SQL .= "ACCEPT_NO      = '".$params_decode['ACCEPT_NO']."', ";
    $SQL .= "TID            = '".$params_decode['TID']."',";
    $SQL .= "CARDCODE       = '".$params_decode['CARDNO']."',";
    $SQL .= "CARDNAME       = '".$params_decode['CARDNAME']."',";
    $SQL .= "QUOTA          = '".$params_decode['QUOTA']."',";
    $SQL .= "BILLKEY        = '".$params_decode['BILLKEY']."',";
    $SQL .= "GENDATE        = '".$params_decode['GENDATE']."',";
    $SQL .= "PAY_STATUS     = '결제성공' ";

    $SQL .= "WHERE ORDERNO  = '".$params_decode['ORDERNO']."' ";
    $SQL .= "AND AMOUNT     = '".$params_decode['AMOUNT']."' ";
    $SQL .= "AND PAY_STATUS = '결제대기' ";
    $SQL .= "LIMIT 1 ";

    $result = mysql_query($SQL, 'Connect_Info');

}
