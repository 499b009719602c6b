// 인증요청 서버통신 CALL

using System;
using System.Collections.Generic;
using System.Linq;
using System.Web;
using System.Net;
using System.Text;
using System.IO;
using System.Text.Json;
using Newtonsoft.Json.Linq;
using System.Web.Mvc;
using MySql.Data.MySqlClient;
using System.Data.SqlClient;

namespace pay.Controllers
{
    public class HomeController : Controller
    {

        string API_ID = "쿠키페이 결제 연동 id";

        public ContentResult ReadyCall()
        {
            string URL = "{요청도메인}/pay/ready";

            //전송 데이터 JSON 형식 만들기
            var json = new JObject();
            json.Add("API_ID", API_ID);  //쿠키페이 결제 연동 ID
            json.Add("ORDERNO", "");     //주문번호
            json.Add("PRODUCTNAME", ""); //상품명
            json.Add("AMOUNT", 100);       //결제 금액
            json.Add("BUYERNAME", "");   //고객명
            json.Add("BUYEREMAIL", "");  //고객 E-MAIL
            json.Add("PRODUCTCODE", ""); //상품 코드
            json.Add("PAYMETHOD", "");   //결제 수단
            json.Add("BUYERID", "");     //고객 ID
            json.Add("BUYERADDRESS", "");//고객 주소
            json.Add("BUYERPHONE", "");  //고객 휴대폰번호
            json.Add("RETURNURL", "");   //결제 완료 후 리다이렉트 url
            json.Add("ETC1", "");        //사용자 추가필드 1
            json.Add("ETC2", "");        //사용자 추가필드 2
            json.Add("ETC3", "");        //사용자 추가필드 3
            json.Add("ETC4", "");        //사용자 추가필드 4
            json.Add("ETC5", "");        //사용자 추가필드 5

            //요청 HEADER 세팅
            HttpWebRequest request = (HttpWebRequest)WebRequest.Create(URL);
            request.Method = "POST";
            request.ContentType = "application/json";
            request.Headers.Add("ApiKey", API_KEY);

            //데이터 전송
            byte[] bytes = Encoding.UTF8.GetBytes(json.ToString());
            request.ContentLength = bytes.Length;
            Stream reqStream = request.GetRequestStream();
            reqStream.Write(bytes, 0, bytes.Length);
            reqStream.Flush();
            reqStream.Close();

            //응답
            string response_data = "";
            HttpWebResponse response = (HttpWebResponse)request.GetResponse();
            HttpStatusCode status = response.StatusCode;
            Stream response_stream = response.GetResponseStream();
            using (StreamReader read_stream = new StreamReader(response_stream))
            {
                response_data = read_stream.ReadToEnd();
                System.Diagnostics.Trace.WriteLine(response_data);
                read_stream.Close();
                response_stream.Close();
                response.Close();
            }

            return Content(response_data);
        }
    }

}
